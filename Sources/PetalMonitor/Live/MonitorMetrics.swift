import Petal
import Prometheus

/// Flower's Prometheus metrics, same names, labels and help texts, so Flower's Grafana dashboards
/// and alerts work: counters and the runtime histogram are fed from the event stream as Flower
/// feeds them from Celery events; the worker gauges are set from the heartbeats at each scrape.
/// Every metric carries HELP and TYPE lines (`promtool check metrics` passes).
final class MonitorMetrics: Sendable {
    static let runtimeBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]
    let registry = PrometheusCollectorRegistry()

    private static func name(_ metric: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: metric, unitName: "", helpText: help)
    }
    private static var events: MetricNameDescriptor { name("flower_events_total", "Number of events") }
    private static var runtime: MetricNameDescriptor { name("flower_task_runtime_seconds", "Task runtime") }
    private static var prefetchTime: MetricNameDescriptor { name("flower_task_prefetch_time_seconds", "The time the task spent waiting at the worker to be executed.") }
    private static var prefetched: MetricNameDescriptor { name("flower_worker_prefetched_tasks", "Number of tasks of given type prefetched at a worker") }
    private static var online: MetricNameDescriptor { name("flower_worker_online", "Worker online status") }
    private static var executing: MetricNameDescriptor { name("flower_worker_number_of_currently_executing_tasks", "Number of tasks currently executing at a worker") }

    /// Counts task events as Flower does (`flower_events_total`: task events only, worker events
    /// are not counted) and records task runtimes and prefetch times.
    func observe(_ event: PetalEvent) {
        guard event.type.hasPrefix("task-") else { return }
        let worker = event.fields["worker"] ?? ""
        let task = event.fields["task"] ?? ""
        let labels = [("worker", worker), ("task", task)]
        registry.makeCounter(descriptor: Self.events, labels: [("worker", worker), ("type", event.type), ("task", task)]).increment()
        switch event.type {
        case "task-started":
            // Petal receives and starts a job in one step and writes task-started alone; Flower's
            // dashboards count task-received too, so it is counted here, and the job waited at
            // the worker for no time.
            registry.makeCounter(descriptor: Self.events, labels: [("worker", worker), ("type", "task-received"), ("task", task)]).increment()
            registry.makeGauge(descriptor: Self.prefetchTime, labels: labels).set(to: 0.0)
            registry.makeGauge(descriptor: Self.prefetched, labels: labels).set(to: 0.0)
        case "task-succeeded":
            if let runtime = event.fields["runtime"].flatMap(Double.init), runtime.isFinite {
                registry.makeValueHistogram(descriptor: Self.runtime, labels: labels, buckets: Self.runtimeBuckets).record(runtime)
            }
        default: break
        }
    }

    /// The Prometheus text, after setting the worker gauges from `workers`.
    func exposition(workers: [WorkerRecord]) -> String {
        for worker in workers {
            registry.makeGauge(descriptor: Self.online, labels: [("worker", worker.name)]).set(to: worker.online ? 1 : 0)
            registry.makeGauge(descriptor: Self.executing, labels: [("worker", worker.name)]).set(to: Double(worker.online ? worker.active.count : 0))
        }
        return registry.emitToString()
    }
}
