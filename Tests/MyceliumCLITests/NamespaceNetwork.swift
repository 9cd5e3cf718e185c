import Foundation
import MyceliumCore
import MyceliumCrypto

/// What a command run inside a namespace did.
struct NamespaceCommandResult {
    var status: Int32
    var standardOutput: String
    var standardError: String
    var duration: Duration
    var timedOut: Bool

    var succeeded: Bool { self.status == 0 && !self.timedOut }
    /// Both streams, for failure messages.
    var transcript: String {
        "exit \(self.status)\(self.timedOut ? " (timed out)" : "") after \(self.duration.millisecondsClamped) ms\n"
            + "stdout:\n\(self.standardOutput)\nstderr:\n\(self.standardError)"
    }
}

struct NamespaceNetworkError: Error, CustomStringConvertible {
    var description: String
}

/// A process started inside a namespace (`ip netns exec` execs it, so the pid is the command's own). Its output goes
/// to files, so nothing blocks on a full pipe however much it prints.
final class NamespaceCommand {
    let description: String
    private let process: Process
    private let outputPath: String
    private let errorPath: String
    private let started: ContinuousClock.Instant
    private var timedOut = false

    init(namespace: String, arguments: [String], directory: String) throws {
        let id = UUID().uuidString
        self.description = arguments.joined(separator: " ")
        self.outputPath = "\(directory)/cmd-\(id).out"
        self.errorPath = "\(directory)/cmd-\(id).err"
        guard FileManager.default.createFile(atPath: self.outputPath, contents: nil),
            FileManager.default.createFile(atPath: self.errorPath, contents: nil),
            let output = FileHandle(forWritingAtPath: self.outputPath),
            let error = FileHandle(forWritingAtPath: self.errorPath)
        else { throw NamespaceNetworkError(description: "cannot create output files in \(directory)") }
        self.process = Process()
        self.process.executableURL = URL(fileURLWithPath: NamespaceNetwork.ipPath)
        self.process.arguments = ["netns", "exec", namespace] + arguments
        self.process.standardInput = FileHandle.nullDevice
        self.process.standardOutput = output
        self.process.standardError = error
        self.started = ContinuousClock().now
        try self.process.run()
        try? output.close()
        try? error.close()
    }

    var isRunning: Bool { self.process.isRunning }
    var processIdentifier: Int32 { self.process.processIdentifier }

    /// What the command printed so far.
    var standardOutput: String {
        (try? String(contentsOfFile: self.outputPath, encoding: .utf8)) ?? ""
    }

    var standardError: String {
        (try? String(contentsOfFile: self.errorPath, encoding: .utf8)) ?? ""
    }

    func signal(_ signal: Int32) {
        if self.process.isRunning { kill(self.process.processIdentifier, signal) }
    }

    /// Waits (polling) until the command exits; after `timeout` sends SIGTERM, then SIGKILL a second later.
    func wait(timeout: Duration) async -> NamespaceCommandResult {
        let clock = ContinuousClock()
        while self.process.isRunning && clock.now - self.started < timeout {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if self.process.isRunning {
            self.timedOut = true
            self.stop()
        }
        return self.result()
    }

    /// SIGTERM, up to a second's grace, then SIGKILL; blocks until the process is gone. Safe to call repeatedly.
    func stop(signal first: Int32 = SIGTERM) {
        guard self.process.isRunning else { return }
        kill(self.process.processIdentifier, first)
        let deadline = ContinuousClock().now + .seconds(1)
        while self.process.isRunning && ContinuousClock().now < deadline { usleep(5_000) }
        if self.process.isRunning { kill(self.process.processIdentifier, SIGKILL) }
        self.process.waitUntilExit()
    }

    private func result() -> NamespaceCommandResult {
        NamespaceCommandResult(
            status: self.process.isRunning ? -1 : self.process.terminationStatus,
            standardOutput: self.standardOutput,
            standardError: self.standardError,
            duration: ContinuousClock().now - self.started,
            timedOut: self.timedOut
        )
    }
}

/// Real `mycelium` daemons with real TUN interfaces, one per network namespace, wired by veth pairs. Root only, and
/// nothing leaves the machine: every namespace, veth and daemon is created here and removed by ``tearDown()`` (also
/// run by `deinit`).
///
/// Link `k` (1-based, in the order given) between nodes `a` and `b` is the /64 `fd00:k::/64`: `a` has `fd00:k::1`
/// on its interface `to<B name>`, `b` has `fd00:k::2` on `to<A name>`; `a` dials `b`. Each namespace has its own
/// loopback, so every daemon uses the default ports (TCP 9651, API 8989, JSON-RPC 8990) and the TUN `myc0`.
final class NamespaceNetwork: AdminPolling {
    struct Node {
        var name: String
        var namespace: String
        var secretKey: X25519.SecretKey
        var address: IPv6Address { self.secretKey.publicKey.overlayAddress }
        var subnet: Subnet { self.secretKey.publicKey.nodeSubnet }
    }

    struct Link {
        var number: Int
        var a: Int
        var b: Int
        var aAddress: String { "fd00:\(self.number)::1" }
        var bAddress: String { "fd00:\(self.number)::2" }
        /// How a next hop over this link reads in the admin API (`TCP [local]:port <-> [remote]:port`).
        var addressPrefix: String { "fd00:\(self.number)::" }
    }

    static let ipPath = "/usr/sbin/ip"
    static let tcpPort = 9651
    static let apiPort = 8989
    static let tunName = "myc0"
    /// Every namespace of this harness starts with this, then the creating process's pid and `x`.
    static let namespacePrefix = "mycdp"

    let directory: String
    let prefix: String
    private(set) var nodes: [Node] = []
    let links: [Link]
    private var daemons: [Int: NamespaceCommand] = [:]
    private var commands: [NamespaceCommand] = []
    private var createdNamespaces: [String] = []
    private var tornDown = false

    /// Why the data-plane tests cannot run here (not root, a tool missing), or `nil`.
    static func skipReason(tools: [String]) -> String? {
        guard getuid() == 0 else { return "the data-plane namespace tests need root (network namespaces, TUN)" }
        guard FileManager.default.isExecutableFile(atPath: Self.ipPath) else { return "needs \(Self.ipPath)" }
        guard FileManager.default.fileExists(atPath: "/dev/net/tun") else { return "needs /dev/net/tun" }
        let missing = tools.filter { Self.which($0) == nil }
        guard missing.isEmpty else {
            return "the data-plane namespace tests need \(missing.joined(separator: ", "))"
                + " (Debian: iperf3 iputils-ping traceroute curl python3 iproute2)"
        }
        return nil
    }

    /// The absolute path of `tool` on `PATH` (plus the sbin directories), or `nil`.
    static func which(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        for directory in directories {
            let candidate = "\(directory)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Creates the namespaces and veth links (and checks every link carries packets); starts no daemon.
    /// `links` are pairs of node indices.
    init(names: [String], links: [(Int, Int)]) throws {
        Self.removeStaleNamespaces()
        self.prefix = "\(Self.namespacePrefix)\(getpid())x\(String(UInt32.random(in: 0..<1_000_000), radix: 36))"
        self.directory = NSTemporaryDirectory() + "mycelium-dataplane-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: self.directory, withIntermediateDirectories: true)
        try "".write(toFile: self.directory + "/empty.toml", atomically: true, encoding: .utf8)
        self.links = links.enumerated().map { Link(number: $0.offset + 1, a: $0.element.0, b: $0.element.1) }
        do {
            for (index, name) in names.enumerated() {
                let key = X25519.SecretKey.generate()
                try Data(key.rawBytes).write(to: URL(fileURLWithPath: self.keyPath(index)))
                let node = Node(name: name, namespace: "\(self.prefix)-\(name)", secretKey: key)
                try Self.ip(["netns", "add", node.namespace])
                self.createdNamespaces.append(node.namespace)
                try Self.ip(["-n", node.namespace, "link", "set", "lo", "up"])
                self.nodes.append(node)
            }
            for link in self.links {
                let (a, b) = (self.nodes[link.a], self.nodes[link.b])
                try Self.ip([
                    "link", "add", self.interface(link, at: link.a), "netns", a.namespace, "type", "veth", "peer",
                    "name", self.interface(link, at: link.b), "netns", b.namespace,
                ])
                try Self.ip([
                    "-n", a.namespace, "addr", "add", "\(link.aAddress)/64", "dev", self.interface(link, at: link.a),
                    "nodad",
                ])
                try Self.ip([
                    "-n", b.namespace, "addr", "add", "\(link.bAddress)/64", "dev", self.interface(link, at: link.b),
                    "nodad",
                ])
                try Self.ip(["-n", a.namespace, "link", "set", self.interface(link, at: link.a), "up"])
                try Self.ip(["-n", b.namespace, "link", "set", self.interface(link, at: link.b), "up"])
            }
        } catch {
            self.tearDown()
            throw error
        }
    }

    deinit {
        self.tearDown()
    }

    /// The interface of `link` inside node `index`'s namespace: `to<other node's name>`.
    func interface(_ link: Link, at index: Int) -> String {
        "to" + self.nodes[index == link.a ? link.b : link.a].name
    }

    /// The link between nodes `x` and `y` (either order).
    func link(_ x: Int, _ y: Int) -> Link? {
        self.links.first { ($0.a == x && $0.b == y) || ($0.a == y && $0.b == x) }
    }

    private func keyPath(_ index: Int) -> String { "\(self.directory)/key-\(index).bin" }

    /// Node `index`'s configuration file: `config-<index>.toml` if a test wrote one, else an empty file.
    func configPath(_ index: Int) -> String {
        let path = "\(self.directory)/config-\(index).toml"
        return FileManager.default.fileExists(atPath: path) ? path : self.directory + "/empty.toml"
    }

    /// Node `index`'s state directory.
    func stateDirectory(_ index: Int) -> String { self.directory + "/state-\(index)" }

    /// Stops node `index`'s daemon the hard way (SIGKILL) and waits for it.
    func killDaemon(_ index: Int) async {
        guard let daemon = self.daemons[index] else { return }
        daemon.signal(SIGKILL)
        _ = await daemon.wait(timeout: .seconds(5))
    }
    func logPath(_ index: Int) -> String { "\(self.directory)/daemon-\(index).log" }

    // MARK: - Daemons

    /// Waits until every veth link carries packets: a freshly created veth needs a moment (about a second) before its
    /// carrier is up, and a daemon whose first dial fails waits 5 s to retry.
    func waitForLinks() async throws {
        for link in self.links {
            let ready = try await Self.waitUntil(timeout: .seconds(15)) {
                await self.run(link.a, ["ping", "-6", "-n", "-c", "1", "-W", "1", link.bAddress], timeout: .seconds(3))
                    .succeeded
            }
            guard ready != nil else {
                throw NamespaceNetworkError(description: "veth link \(link.number) does not carry packets after 15 s")
            }
        }
    }

    /// Starts every daemon, last first, each once the previous one answers on its API — so every dial finds its peer
    /// listening. Call ``waitForLinks()`` first.
    func startAll(extraArguments: [String] = []) async throws {
        for index in self.nodes.indices.reversed() {
            try self.start(index, extraArguments: extraArguments)
            let answering = try await Self.waitUntil(timeout: .seconds(10)) {
                await self.get(index, "/api/v1/admin") != nil
            }
            guard answering != nil else {
                throw NamespaceNetworkError(
                    description: "\(self.nodes[index].name)'s API does not answer after 10 s; log:\n\(self.log(index))"
                )
            }
        }
    }

    func start(_ index: Int, extraArguments: [String] = []) throws {
        let peers = self.links.filter { $0.a == index }.map { "tcp://[\($0.bAddress)]:\(Self.tcpPort)" }
        let arguments =
            [
                MyceliumProcess.executable.path, "-c", self.configPath(index), "-k", self.keyPath(index),
                "-t", String(Self.tcpPort), "--api-addr", "127.0.0.1:\(Self.apiPort)",
                "--jsonrpc-addr", "127.0.0.1:\(Self.apiPort + 1)", "--disable-peer-discovery", "--disable-quic",
                "--tun-name", Self.tunName, "--state-dir", self.stateDirectory(index),
            ] + (peers.isEmpty ? [] : ["--peers"] + peers) + extraArguments
        let command = try NamespaceCommand(
            namespace: self.nodes[index].namespace, arguments: arguments, directory: self.directory)
        self.daemons[index] = command
    }

    /// Everything node `index`'s daemon printed so far.
    func log(_ index: Int) -> String {
        guard let daemon = self.daemons[index] else { return "(not started)" }
        return daemon.standardOutput + daemon.standardError
    }

    /// The last `lines` lines of every daemon's log, for failure messages.
    func logTails(lines: Int = 15) -> String {
        self.nodes.indices.map { index in
            let tail = self.log(index).split(separator: "\n", omittingEmptySubsequences: false).suffix(lines)
            return "--- \(self.nodes[index].name) ---\n" + tail.joined(separator: "\n")
        }.joined(separator: "\n")
    }

    // MARK: - Commands

    /// Runs `arguments` inside node `index`'s namespace and waits for it (killing it after `timeout`).
    func run(_ index: Int, _ arguments: [String], timeout: Duration) async -> NamespaceCommandResult {
        do {
            let command = try self.spawn(index, arguments)
            return await command.wait(timeout: timeout)
        } catch {
            return NamespaceCommandResult(
                status: -1, standardOutput: "", standardError: "\(error)", duration: .zero, timedOut: false)
        }
    }

    /// Starts `arguments` inside node `index`'s namespace in the background; ``tearDown()`` stops it if still running.
    func spawn(_ index: Int, _ arguments: [String]) throws -> NamespaceCommand {
        let command = try NamespaceCommand(
            namespace: self.nodes[index].namespace, arguments: arguments, directory: self.directory)
        self.commands.append(command)
        return command
    }

    /// Whether something listens on TCP `port` in node `index`'s namespace.
    func isListening(_ index: Int, tcpPort port: Int) async -> Bool {
        let result = await self.run(index, ["ss", "-Hltn", "sport", "=", ":\(port)"], timeout: .seconds(5))
        return result.succeeded && !result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
    }

    // MARK: - Admin API

    /// `GET` an admin API path of node `index` (inside its namespace, with curl) as JSON; `nil` while not answering.
    func get(_ index: Int, _ path: String) async -> Any? {
        let result = await self.run(
            index, ["curl", "-s", "-f", "--max-time", "2", "http://127.0.0.1:\(Self.apiPort)\(path)"],
            timeout: .seconds(5))
        guard result.succeeded else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8))
    }

    /// Whether every node has a selected route to every other one's /64.
    func isConverged() async -> Bool {
        await self.isConverged(Array(self.nodes.indices))
    }

    func subnet(of index: Int) -> Subnet { self.nodes[index].subnet }

    // MARK: - Teardown

    /// Stops every command and daemon (SIGTERM, then SIGKILL), kills anything left in the namespaces, deletes the
    /// namespaces (which removes their veths and TUNs) and the temporary directory. Idempotent.
    func tearDown() {
        guard !self.tornDown else { return }
        self.tornDown = true
        for command in self.commands { command.stop() }
        for daemon in self.daemons.values { daemon.stop() }
        for namespace in self.createdNamespaces { Self.deleteNamespace(namespace) }
        try? FileManager.default.removeItem(atPath: self.directory)
    }

    /// Kills whatever still runs in `namespace` (only processes this harness started there) and deletes it.
    private static func deleteNamespace(_ namespace: String) {
        if let pids = try? Self.ipOutput(["netns", "pids", namespace]) {
            for pid in pids.split(whereSeparator: \.isWhitespace).compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
        }
        _ = try? Self.ip(["netns", "del", namespace], allowFailure: true)
    }

    /// Deletes namespaces left behind by a harness whose process died without tearing down (the pid is in the name).
    private static func removeStaleNamespaces() {
        guard let list = try? Self.ipOutput(["netns", "list"]) else { return }
        for line in list.split(separator: "\n") {
            guard let name = line.split(separator: " ").first.map(String.init), name.hasPrefix(Self.namespacePrefix),
                let pidText = name.dropFirst(Self.namespacePrefix.count).split(separator: "x").first,
                let pid = Int32(pidText), pid != getpid()
            else { continue }
            if !Self.isAlive(pid) { Self.deleteNamespace(name) }
        }
    }

    /// Whether `pid` runs (a zombie, killed but not yet reaped, does not).
    private static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 || errno != ESRCH else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let afterName = stat.range(of: ") ", options: .backwards)
        else { return true }
        return stat[afterName.upperBound...].first != "Z"
    }

    // MARK: - Helpers

    @discardableResult
    static func ip(_ arguments: [String], allowFailure: Bool = false) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.ipPath)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        let error = Pipe()
        process.standardError = error
        try process.run()
        let message = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if !allowFailure && process.terminationStatus != 0 {
            throw NamespaceNetworkError(
                description: "ip \(arguments.joined(separator: " ")) failed (exit \(process.terminationStatus)): "
                    + message)
        }
        return process.terminationStatus
    }

    static func ipOutput(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.ipPath)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
