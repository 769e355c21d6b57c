import PetalWorker
import Testing

/// The autoscale rule alone: no processes, no Redis.
@Suite("Autoscaler")
struct AutoscalerTests {
    let scaler = Autoscaler(min: 1, max: 8)

    func seen(waiting: Int = 0, busy: Int = 0, working: Int = 4, idleFor seconds: Double = 0) -> Autoscaler.Observation {
        Autoscaler.Observation(waiting: waiting, busy: busy, working: working, secondsSinceFullyBusy: seconds)
    }

    @Test func growsByWhatWaitsUpToMax() {
        #expect(scaler.nextTarget(from: 2, seeing: seen(waiting: 3, busy: 2, working: 2)) == 5)
        #expect(scaler.nextTarget(from: 5, seeing: seen(waiting: 100, busy: 5, working: 5)) == 8)
        #expect(scaler.nextTarget(from: 8, seeing: seen(waiting: 100, busy: 8, working: 8)) == 8)
    }

    @Test func shrinksByOneOnlyAfterTheIdleGraceAndNeverUnderMin() {
        #expect(scaler.nextTarget(from: 4, seeing: seen(busy: 1, idleFor: 4.9)) == 4, "not idle long enough")
        #expect(scaler.nextTarget(from: 4, seeing: seen(busy: 1, idleFor: 6)) == 3)
        #expect(scaler.nextTarget(from: 4, seeing: seen(busy: 4, idleFor: 60)) == 4, "every child busy")
        #expect(scaler.nextTarget(from: 4, seeing: seen(waiting: 1, busy: 1, idleFor: 60)) == 5, "a job waits: grow, not shrink")
        #expect(scaler.nextTarget(from: 1, seeing: seen(busy: 0, working: 1, idleFor: 60)) == 1)
    }

    @Test func aSizeSetByHandWidensTheBounds() {
        var widened = scaler
        widened.include(12)
        widened.include(0)
        #expect(widened.max == 12 && widened.min == 0)
        #expect(widened.nextTarget(from: 12, seeing: seen(waiting: 5, busy: 12, working: 12)) == 12)
    }
}
