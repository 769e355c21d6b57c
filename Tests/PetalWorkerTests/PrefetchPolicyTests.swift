@testable import PetalWorker
import Testing

/// How many jobs a child takes per call: one while jobs run long, doubling while they are short.
@Suite("Prefetch policy")
struct PrefetchPolicyTests {
    @Test func growsWhileJobsAreShortAndFallsBackAtTheFirstLongOne() {
        var policy = PrefetchPolicy(limit: 8)
        #expect(policy.size == 1, "one at a time until jobs prove short")
        var sizes: [Int] = []
        for _ in 0..<5 {
            policy.ran(for: PrefetchPolicy.shortJob / 10)
            sizes.append(policy.size)
        }
        #expect(sizes == [2, 4, 8, 8, 8], "never past the worker's limit")
        policy.ran(for: PrefetchPolicy.shortJob * 2)
        #expect(policy.size == 1, "a long job: no job waits behind the next one")
    }

    @Test func aLimitOfOneTakesOneAtATime() {
        var policy = PrefetchPolicy(limit: 1)
        policy.ran(for: 0)
        #expect(policy.size == 1)
        #expect(PrefetchPolicy(limit: 0).limit == 1)
    }
}
