/// A schedule as a person types it: the fields of `petal schedule add` and of the monitor's
/// `POST /api/schedules` and form, as text. `definition()` checks them all and says what is wrong.
public struct ScheduleRequest: Sendable, Equatable {
    public var name: String
    public var task: String
    public var args: String?
    public var kwargs: String?
    public var queue: String?
    public var cron: String?
    public var timeZone: String?
    public var every: String?
    public var missed: String?

    public init(name: String, task: String, args: String? = nil, kwargs: String? = nil, queue: String? = nil, cron: String? = nil,
                timeZone: String? = nil, every: String? = nil, missed: String? = nil) {
        self.name = name
        self.task = task
        self.args = args
        self.kwargs = kwargs
        self.queue = queue
        self.cron = cron
        self.timeZone = timeZone
        self.every = every
        self.missed = missed
    }

    public func definition() throws(PetalError) -> ScheduleDefinition {
        func given(_ value: String?) -> String? { value.flatMap { $0.isEmpty ? nil : $0 } }
        let timing: ScheduleTiming
        do {
            switch (given(cron), given(every)) {
            case (let cron?, nil): timing = .cron(try CronExpression(cron), zone: try ScheduleTiming.zone(named: given(timeZone) ?? "UTC"))
            case (nil, let every?):
                if given(timeZone) != nil { throw ScheduleError.invalidField("a time zone applies to cron expressions, not to intervals") }
                timing = .every(try ScheduleInterval(parsing: every))
            case (nil, nil): throw ScheduleError.invalidField("give either a cron expression or an interval ('every')")
            case (_?, _?): throw ScheduleError.invalidField("give either a cron expression or an interval ('every'), not both")
            }
            let definition = ScheduleDefinition(name: name, task: task, argsJSON: given(args) ?? "[]", kwargsJSON: given(kwargs) ?? "{}",
                                                queue: given(queue) ?? "default", timing: timing, missed: try MissedTicks(parsing: missed ?? ""))
            try definition.validate()
            return definition
        } catch let error as ScheduleError {
            throw .invalidRequest(error.description)
        } catch let error as PetalError {
            throw error
        } catch {
            throw .invalidRequest("\(error)")
        }
    }
}

extension ScheduleRecord {
    /// The record as the CLI's `--json` and the monitor's `/api/schedules` show it.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "name": .string(name), "task": .string(task), "queue": .string(queue), "when": .string(when),
            "timezone": .string(zoneName), "missed": .string(missed), "origin": .string(origin), "paused": .bool(paused),
            "next_run": next.map(JSONValue.number) ?? .null, "last_run": last.map(JSONValue.number) ?? .null,
            "last_job": lastJob.map(JSONValue.string) ?? .null,
        ]
        object["args"] = (try? JSONValue(parsing: argsJSON)) ?? .string(argsJSON)
        object["kwargs"] = (try? JSONValue(parsing: kwargsJSON)) ?? .string(kwargsJSON)
        return .object(object)
    }
}
