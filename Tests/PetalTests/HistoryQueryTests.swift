import Foundation
import Petal
import PetalRedis
import PetalTestSupport
import Testing

/// `PetalClient.jobs(matching:)`: filters, search, sort, time range and paging, done in Redis.
@Suite("History queries")
struct HistoryQueryTests {
    let server: RedisServer
    let client: PetalClient
    /// 30 jobs, oldest first: task a/b/c in turn, queue q1 for even i, args [i]; every third revoked.
    let ids: [String]

    init() async throws {
        server = try RedisServer()
        client = server.petalClient(poolSize: 2)
        var ids: [String] = []
        for i in 0..<30 {
            ids.append(try await client.enqueue(EnqueueRequest(task: ["a", "b", "c"][i % 3], args: [.number(Double(i))],
                                                                queue: i % 2 == 0 ? "q1" : "q2")))
        }
        for i in stride(from: 0, to: 30, by: 3) { _ = try await client.revoke(ids[i]) }
        self.ids = ids
    }

    private func newestFirst(_ indexes: some Sequence<Int>) -> [String] { indexes.sorted(by: >).map { ids[$0] } }

    @Test func pagesThroughEverythingNewestFirstWithATotal() async throws {
        let first = try await client.jobs(matching: JobQuery(limit: 10))
        #expect(first.jobs.map(\.id) == newestFirst(20..<30))
        #expect(first.total == 30)
        #expect(first.hasMore)
        let last = try await client.jobs(matching: JobQuery(offset: 25, limit: 10))
        #expect(last.jobs.map(\.id) == newestFirst(0..<5))
        #expect(!last.hasMore)
        let oldest = try await client.jobs(matching: JobQuery(descending: false, limit: 2))
        #expect(oldest.jobs.map(\.id) == [ids[0], ids[1]])
    }

    @Test func oneFilterIsExactAndSeveralAreScanned() async throws {
        let revoked = try await client.jobs(matching: JobQuery(state: .revoked, limit: 100))
        #expect(revoked.total == 10)
        #expect(revoked.jobs.map(\.id) == newestFirst(stride(from: 0, to: 30, by: 3)))
        // Task a is i % 3 == 0, the revoked ones too; queue q1 is even i: i % 6 == 0.
        let both = try await client.jobs(matching: JobQuery(state: .revoked, task: "a", queue: "q1", limit: 100))
        #expect(both.jobs.map(\.id) == newestFirst(stride(from: 0, to: 30, by: 6)))
        #expect(both.total == nil)
        #expect(!both.hasMore)
        let paged = try await client.jobs(matching: JobQuery(task: "b", queue: "q2", offset: 1, limit: 2))
        #expect(paged.jobs.map(\.id) == [ids[19], ids[13]])  // b and odd: 1, 7, 13, 19, 25
        #expect(paged.hasMore)
    }

    @Test func searchesTheArgumentsAndQualifiers() async throws {
        let found = try await client.jobs(matching: JobQuery(search: try JobSearch(parsing: "args:17")))
        #expect(found.jobs.map(\.id) == [ids[17]])
        let qualified = try await client.jobs(matching: JobQuery(search: try JobSearch(parsing: "name:c state:pending 2"), limit: 100))
        // c is i % 3 == 2 (never revoked, so pending); "2" somewhere in the args.
        #expect(qualified.jobs.map(\.id) == newestFirst([2, 20, 23, 26, 29]))
        #expect(throws: JobSearch.ParseError.self) { try JobSearch(parsing: "state:sideways") }
        let quoted = try JobSearch(parsing: #"result:"two words" plain"#)
        #expect(quoted.terms == [.init(field: .result, text: "two words"), .init(field: .any, text: "plain")])
    }

    @Test func sortsByAFieldThroughItsIndexes() async throws {
        let byName = try await client.jobs(matching: JobQuery(sortKey: .name, descending: false, limit: 12))
        #expect(byName.jobs.map(\.task) == Array(repeating: "a", count: 10) + ["b", "b"])
        #expect(byName.total == 30)
        let byStateThenPage = try await client.jobs(matching: JobQuery(sortKey: .state, descending: false, offset: 19, limit: 2))
        #expect(byStateThenPage.jobs.map(\.state) == [.pending, .revoked], "20 PENDING sort before 10 REVOKED")
    }

    @Test func aTimeRangeAndAScanBudget() async throws {
        let records = try await client.jobs(ids).compactMap { $0 }
        let middle = try #require(records[15].sent)
        let later = try await client.jobs(matching: JobQuery(sentAfter: middle, limit: 100))
        #expect(later.jobs.map(\.id) == newestFirst(15..<30))
        #expect(later.total == 15)
        let budgeted = try await client.jobs(matching: JobQuery(task: "a", queue: "q2", limit: 100, scanBudget: 4))
        #expect(budgeted.truncated, "only 4 of the 10 task-a jobs were examined")
        #expect(budgeted.jobs.map(\.id) == [ids[27], ids[21]])
    }

    /// Pages are read by rank inside the window the time range cuts from an index.
    @Test func pagesInsideATimeWindowInBothOrders() async throws {
        let records = try await client.jobs(ids).compactMap { $0 }
        let (from, to) = (try #require(records[10].sent), try #require(records[19].sent))  // jobs 10...19
        let newest = try await client.jobs(matching: JobQuery(sentAfter: from, sentBefore: to, offset: 3, limit: 4))
        #expect(newest.jobs.map(\.id) == newestFirst(10...19).dropFirst(3).prefix(4).map { $0 })
        #expect(newest.total == 10 && newest.hasMore)
        let oldest = try await client.jobs(matching: JobQuery(sentAfter: from, sentBefore: to, descending: false, offset: 8, limit: 4))
        #expect(oldest.jobs.map(\.id) == [ids[18], ids[19]])
        #expect(!oldest.hasMore)
        let beyond = try await client.jobs(matching: JobQuery(sentAfter: from, sentBefore: to, offset: 10))
        #expect(beyond.jobs.isEmpty && beyond.total == 10)
        // Scanned: task b on queue q2 is b and odd, 13 and 19 in the window.
        let scanned = try await client.jobs(matching: JobQuery(task: "b", queue: "q2", sentAfter: from, sentBefore: to, limit: 100))
        #expect(scanned.jobs.map(\.id) == [ids[19], ids[13]])
        let scannedOldest = try await client.jobs(matching: JobQuery(task: "b", queue: "q2", sentAfter: from, sentBefore: to,
                                                                     descending: false, limit: 100))
        #expect(scannedOldest.jobs.map(\.id) == [ids[13], ids[19]])
    }

    /// Columns without an index: the newest matching jobs are read and sorted in Redis.
    @Test func sortsByAFieldWithoutAnIndex() async throws {
        // Job i ran (7i mod 30) / 10 seconds, all different; jobs 0, 1 and 2 never ran.
        for (i, id) in ids.enumerated() where i >= 3 {
            try await server.redisClient().command(["HSET", RedisArgument(Keys().job(id)), "runtime", RedisArgument(String(Double(i * 7 % 30) / 10))])
        }
        let slowest = try await client.jobs(matching: JobQuery(sortKey: .runtime, limit: 3))
        #expect(slowest.jobs.map(\.id) == [17, 4, 21].map { ids[$0] })  // 2.9 s, 2.8 s, 2.7 s
        #expect(slowest.total == 30 && slowest.hasMore && !slowest.truncated)
        // Task a is i % 3 == 0; job 0 has no runtime and comes last.
        let fastestOfA = try await client.jobs(matching: JobQuery(task: "a", sortKey: .runtime, descending: false, limit: 100))
        #expect(fastestOfA.jobs.map(\.id) == [9, 18, 27, 6, 15, 24, 3, 12, 21, 0].map { ids[$0] })
        let byID = try await client.jobs(matching: JobQuery(sortKey: .id, descending: false, offset: 5, limit: 5))
        #expect(byID.jobs.map(\.id) == Array(ids.sorted()[5..<10]))
        // Only the newest 10 (jobs 20...29) are looked at: 21 (2.7 s) and 25 (2.5 s) lead them.
        let budgeted = try await client.jobs(matching: JobQuery(sortKey: .runtime, limit: 2, scanBudget: 10))
        #expect(budgeted.truncated && budgeted.total == nil)
        #expect(budgeted.jobs.map(\.id) == [ids[21], ids[25]])
    }
}
