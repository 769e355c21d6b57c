import Metrics
import Petal
import Prometheus

/// Flower's Prometheus metrics, same names and labels, so Flower's Grafana dashboards and alerts
/// work: counters and the runtime histogram are fed from the event stream as Flower feeds them from
/// Celery events; the worker gauges are set from the heartbeats at each scrape.
final class MonitorMetrics: Sendable {
    static let runtimeBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]
    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory

    init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.valueHistogramBuckets["flower_task_runtime_seconds"] = Self.runtimeBuckets
        self.factory = factory
    }

    /// Counts events as Flower does (`flower_events_total`) and records task runtimes.
    func observe(_ event: PetalEvent) {
        let worker = event.fields["worker"] ?? ""
        let task = event.fields["task"] ?? ""
        if event.type.hasPrefix("task-") {
            Counter(label: "flower_events_total", dimensions: [("worker", worker), ("type", event.type), ("task", task)],
                    factory: factory).increment()
        } else if event.type.hasPrefix("worker-") {
            Counter(label: "flower_events_total", dimensions: [("worker", worker), ("type", event.type), ("task", "")],
                    factory: factory).increment()
        }
        switch event.type {
        case "task-started":
            // Petal marks a job received and started in one step: nothing is ever prefetched.
            Gauge(label: "flower_task_prefetch_time_seconds", dimensions: [("worker", worker), ("task", task)], factory: factory).record(0)
            Gauge(label: "flower_worker_prefetched_tasks", dimensions: [("worker", worker), ("task", task)], factory: factory).record(0)
        case "task-succeeded":
            if let runtime = event.fields["runtime"].flatMap(Double.init) {
                Recorder(label: "flower_task_runtime_seconds", dimensions: [("worker", worker), ("task", task)],
                         aggregate: true, factory: factory).record(runtime)
            }
        default: break
        }
    }

    /// The Prometheus text, after setting the worker gauges from `workers`.
    func exposition(workers: [WorkerRecord]) -> String {
        for worker in workers {
            Gauge(label: "flower_worker_online", dimensions: [("worker", worker.name)], factory: factory).record(worker.online ? 1 : 0)
            Gauge(label: "flower_worker_number_of_currently_executing_tasks", dimensions: [("worker", worker.name)],
                  factory: factory).record(worker.online ? worker.active.count : 0)
        }
        return registry.emitToString()
    }
}
