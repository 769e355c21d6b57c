extension PetalClient {
    /// Enqueues a typed job: `arguments` travel as kwargs. Returns a handle whose `result(timeout:)`
    /// is `Task.Output`. Throws `PetalError.invalidRequest` for options or arguments JSON cannot carry.
    @discardableResult
    public func enqueue<Task: TaskDeclaration>(_ task: Task.Type, _ arguments: Task.Arguments,
                                               options: EnqueueOptions = EnqueueOptions()) async throws(PetalError) -> JobHandle<Task> {
        JobHandle(id: try await enqueue(EnqueueRequest(task, arguments, options: options)), client: self)
    }

    /// Enqueues many typed jobs of one task (batched as `enqueue(many:)`), handles in the same order.
    public func enqueue<Task: TaskDeclaration>(_ task: Task.Type, many arguments: [Task.Arguments],
                                               options: EnqueueOptions = EnqueueOptions()) async throws(PetalError) -> [JobHandle<Task>] {
        var requests: [EnqueueRequest] = []
        for item in arguments { requests.append(try EnqueueRequest(task, item, options: options)) }
        return try await enqueue(many: requests).map { JobHandle(id: $0, client: self) }
    }

    /// A handle on a job already enqueued (by id), to read its result as `Task.Output`.
    public func handle<Task: TaskDeclaration>(_ task: Task.Type, id: String) -> JobHandle<Task> { JobHandle(id: id, client: self) }
}
