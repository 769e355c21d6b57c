import Foundation
import PetalSettings
import PetalSystem

/// `petal start`: runs a Procfile's formation, multiplexes its output, stops everything cleanly.
///
/// Like the worker's supervisor it is one poll(2) loop on one thread: signals (self-pipe), every
/// instance's output pipe and the control socket are descriptors it watches. Each instance leads a
/// process group of its own, and signals go to the whole group, so no grandchild is left behind.
public final class Runner {
    let procfile: Procfile
    var formation: Formation
    let environment: [String: String]
    let options: RunnerOptions
    let output: OutputMux
    var instances: [Instance] = []
    var exitCode: Int32?
    var shuttingDown = false
    var shutdownDeadline: Double?
    var pendingRestarts: [(type: String, index: Int, at: Double, restarts: Int)] = []
    private var signalDescriptor: Int32 = -1
    var control: ControlSocket?

    public init(procfile: Procfile, formation: Formation, environment: [String: String], options: RunnerOptions) {
        self.procfile = procfile
        self.formation = formation
        self.environment = environment
        self.options = options
        let names = procfile.entries.flatMap { entry in (1...max(1, formation.count(of: entry.name))).map { "\(entry.name).\($0)" } }
        output = OutputMux(style: options.style, names: names)
    }

    static func now() -> Double { Date().timeIntervalSince1970 }

    /// Runs until every process has stopped; returns the exit status (foreman's rule: the status of
    /// the process whose exit stopped the others, 0 after a signal).
    public func run() -> Int32 {
        do {
            // SIGCHLD only wakes the loop, so a shutdown's next type is told as soon as one has gone.
            signalDescriptor = try SignalPipe.install([SIGINT, SIGTERM, SIGHUP, SIGCHLD])
            SignalPipe.ignore(SIGPIPE)
            control = try ControlSocket(path: options.socketPath)
        } catch {
            output.system("cannot start: \(error)")
            return 1
        }
        defer { control?.close() }
        for entry in procfile.entries where options.only.isEmpty || options.only.contains(entry.name) {
            for index in 1...max(1, formation.count(of: entry.name)) where formation.count(of: entry.name) > 0 {
                start(type: entry.name, index: index, restarts: 0)
            }
        }
        if instances.isEmpty {
            output.system("nothing to run")
            return exitCode ?? 0  // 1 when an instance could not even start
        }
        while !(shuttingDown && instances.isEmpty) {
            waitForInput()
            handleSignals()
            readOutput()
            control?.serve(self)
            reap()
            if shuttingDown { stopNextType() }
            enforceDeadlines()
            startDueRestarts()
        }
        return exitCode ?? 0
    }

    // MARK: - Starting and stopping

    func start(type: String, index: Int, restarts: Int) {
        guard let entry = procfile.entries.first(where: { $0.name == type }) else { return }
        let name = "\(type).\(index)"
        output.register(name)
        var childEnvironment = environment
        let base = options.basePort ?? (try? EnvironmentSettings(environment).basePort()) ?? EnvironmentSettings.defaultBasePort
        childEnvironment["PORT"] = String(formation.port(base: base, name: type, instance: index))
        childEnvironment["PS"] = name
        childEnvironment["PETAL_RUNNER_SOCKET"] = control.map { $0.path } ?? options.socketPath
        do {
            let pipe = try PipeDescriptors().nonBlockingRead()
            let devNull = open("/dev/null", O_RDONLY)
            defer {
                close(pipe.write)
                close(devNull)
            }
            let process = try ChildProcess.spawn(executable: "/bin/sh", arguments: ["-c", entry.command],
                                                 environment: childEnvironment,
                                                 descriptors: [0: devNull, 1: pipe.write, 2: pipe.write], newProcessGroup: true)
            instances.append(Instance(type: type, index: index, process: process, output: pipe.read, startedAt: Self.now(), restarts: restarts))
            output.system("\(name) started with pid \(process.pid)")
        } catch {
            output.system("\(name) could not start: \(error)")
            if !shuttingDown { beginShutdown(status: 1) }
        }
    }

    /// SIGTERM to the instance's process group; SIGKILL after the timeout.
    func stop(_ position: Int, restart: Bool = false) {
        guard instances.indices.contains(position), instances[position].state == .running else { return }
        instances[position].stopRequested = true
        instances[position].restartRequested = restart
        instances[position].state = .stopping
        instances[position].killDeadline = Self.now() + options.timeout
        kill(-instances[position].process.pid, SIGTERM)
    }

    func beginShutdown(status: Int32?) {
        guard !shuttingDown else { return }
        shuttingDown = true
        if exitCode == nil { exitCode = status }
        pendingRestarts.removeAll()
        output.system("stopping every process, the Procfile's last entry first")
        stopNextType()
    }

    /// At shutdown the types stop one at a time in the reverse of the Procfile's order (as docker
    /// compose stops services in reverse dependency order): what is listed after `redis` finishes
    /// its jobs and writes its last records while Redis still runs. Each type gets SIGTERM when
    /// the types after it are gone; one that outlives `--timeout` is killed, so every turn comes.
    func stopNextType() {
        guard !instances.contains(where: { $0.state == .stopping }) else { return }
        let running = Set(instances.filter { $0.state == .running }.map(\.type))
        guard let type = procfile.entries.last(where: { running.contains($0.name) })?.name else { return }
        for position in instances.indices where instances[position].type == type { stop(position) }
        shutdownDeadline = Self.now() + options.timeout
    }

    // MARK: - The loop

    private func waitForInput() {
        var descriptors = [pollfd(fd: signalDescriptor, events: Int16(POLLIN), revents: 0)]
        if let control { descriptors.append(contentsOf: control.descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }) }
        for instance in instances where instance.output >= 0 {
            descriptors.append(pollfd(fd: instance.output, events: Int16(POLLIN), revents: 0))
        }
        _ = poll(&descriptors, nfds_t(descriptors.count), 100)
    }

    private func handleSignals() {
        var byte: UInt8 = 0
        while read(signalDescriptor, &byte, 1) == 1 {
            if Int32(byte) == SIGCHLD { continue }  // reap() looks at every instance anyway
            if shuttingDown {
                output.system("\(SignalName.of(Int32(byte))) again: killing all processes")
                for instance in instances { kill(-instance.process.pid, SIGKILL) }
            } else {
                output.system("\(SignalName.of(Int32(byte))) received")
                beginShutdown(status: nil)
            }
        }
    }

    private func readOutput() {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        for position in instances.indices where instances[position].output >= 0 {
            let name = instances[position].name
            let shown = !options.quiet.contains(instances[position].type)
            while true {
                let count = read(instances[position].output, &chunk, chunk.count)
                if count > 0 {
                    if shown { output.write(name, bytes: chunk[0..<count]) }
                    if count < chunk.count { break }
                } else if count == 0 {
                    output.flush(name)
                    close(instances[position].output)
                    instances[position].output = -1
                    break
                } else {
                    break  // EAGAIN: nothing more now
                }
            }
        }
    }

    /// An instance is gone once it has exited and its output is drained (a grandchild holding the
    /// pipe keeps it open: the group kill at the deadline ends that too).
    private func reap() {
        let now = Self.now()
        for position in instances.indices where instances[position].state != .exited {
            guard let termination = instances[position].process.poll() else { continue }
            instances[position].state = .exited
            let instance = instances[position]
            output.system("\(instance.name) \(termination)")
            kill(-instance.process.pid, SIGTERM)  // whatever it started goes with it
            if instance.restartRequested {
                pendingRestarts.append((instance.type, instance.index, now, instance.restarts + 1))
            } else if !instance.stopRequested && !shuttingDown {
                if options.restart {
                    let delay = min(30, pow(2, Double(instance.restarts)))
                    output.system("\(instance.name) will restart in \(Int(delay))s (--restart)")
                    pendingRestarts.append((instance.type, instance.index, now + delay, instance.restarts + 1))
                } else {
                    beginShutdown(status: Self.status(termination))
                }
            }
        }
        instances.removeAll { $0.state == .exited && $0.output < 0 }
    }

    private func enforceDeadlines() {
        let now = Self.now()
        for position in instances.indices {
            if let deadline = instances[position].killDeadline, now >= deadline {
                kill(-instances[position].process.pid, SIGKILL)
                instances[position].killDeadline = nil
                if instances[position].state != .exited { output.system("\(instances[position].name) did not stop in \(Int(options.timeout))s: SIGKILL") }
            }
        }
        if let deadline = shutdownDeadline, now >= deadline + 2 {
            // Output pipes still held open by processes that escaped their group: stop waiting.
            for position in instances.indices where instances[position].state == .exited && instances[position].output >= 0 {
                output.flush(instances[position].name)
                close(instances[position].output)
                instances[position].output = -1
            }
        }
    }

    private func startDueRestarts() {
        let now = Self.now()
        let due = pendingRestarts.filter { $0.at <= now }
        pendingRestarts.removeAll { $0.at <= now }
        for restart in due where !shuttingDown && formation.count(of: restart.type) >= restart.index {
            start(type: restart.type, index: restart.index, restarts: restart.restarts)
        }
    }

    static func status(_ termination: Termination) -> Int32 {
        switch termination {
        case .exited(let code): return code
        case .signaled(let signal): return 128 + signal
        }
    }
}
