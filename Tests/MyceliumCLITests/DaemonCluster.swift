import Foundation
import MyceliumCore
import MyceliumCrypto

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Several `mycelium` daemons on loopback, each with its own key, TCP port and API port, wired up by `--peers`.
/// Node `i` dials the nodes listed in `links[i]`. Discovery is off; no traffic leaves the machine.
final class DaemonCluster: AdminPolling {
    struct Node {
        var name: String
        var secretKey: X25519.SecretKey
        var tcpPort: Int
        var apiPort: Int
        var jsonRPCPort: Int
        var metricsPort: Int
        var subnet: Subnet { self.secretKey.publicKey.nodeSubnet }
    }

    let directory: String
    private(set) var nodes: [Node] = []
    private var processes: [Int: Process] = [:]
    let links: [Int: [Int]]

    init(names: [String], links: [Int: [Int]]) throws {
        self.directory = NSTemporaryDirectory() + "mycelium-cluster-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: self.directory, withIntermediateDirectories: true)
        try "".write(toFile: self.directory + "/empty.toml", atomically: true, encoding: .utf8)
        self.links = links
        let base = Int.random(in: 20_000..<55_000)
        for (index, name) in names.enumerated() {
            let key = X25519.SecretKey.generate()
            try Data(key.rawBytes).write(to: URL(fileURLWithPath: self.keyPath(index)))
            self.nodes.append(
                Node(
                    name: name, secretKey: key, tcpPort: base + index * 4, apiPort: base + index * 4 + 1,
                    jsonRPCPort: base + index * 4 + 2, metricsPort: base + index * 4 + 3
                )
            )
        }
    }

    deinit {
        for process in self.processes.values where process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: self.directory)
    }

    private func keyPath(_ index: Int) -> String { "\(self.directory)/key-\(index).bin" }

    /// Node `index`'s configuration file: `config-<index>.toml` if a test wrote one, else an empty file.
    func configPath(_ index: Int) -> String {
        let path = "\(self.directory)/config-\(index).toml"
        return FileManager.default.fileExists(atPath: path) ? path : self.directory + "/empty.toml"
    }

    /// Node `index`'s state directory (its message store); kept across restarts of the daemon.
    func stateDirectory(_ index: Int) -> String { "\(self.directory)/state-\(index)" }

    /// Starts every daemon, last first, each once the previous one answers on its API — so every dial finds its
    /// peer listening (a refused dial is retried only after upstream's 5 s).
    func startAll(extraArguments: [String] = []) async throws {
        for index in self.nodes.indices.reversed() {
            try self.start(index, extraArguments: extraArguments)
            _ = try await Self.waitUntil(timeout: .seconds(5)) { await self.get(index, "/api/v1/admin") != nil }
        }
    }

    func start(_ index: Int, extraArguments: [String] = []) throws {
        let node = self.nodes[index]
        let peers = (self.links[index] ?? []).map { "tcp://127.0.0.1:\(self.nodes[$0].tcpPort)" }
        let process = Process()
        process.executableURL = MyceliumProcess.executable
        process.arguments =
            [
                "-c", self.configPath(index), "-k", self.keyPath(index), "-t", String(node.tcpPort),
                "--api-addr", "127.0.0.1:\(node.apiPort)", "--jsonrpc-addr", "127.0.0.1:\(node.jsonRPCPort)",
                "--no-tun", "--disable-peer-discovery", "--disable-quic", "--silent",
                "--state-dir", self.stateDirectory(index),
            ] + (peers.isEmpty ? [] : ["--peers"] + peers) + extraArguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        self.processes[index] = process
    }

    /// Stops a daemon the hard way (SIGKILL): its peers see the TCP connections reset.
    func kill(_ index: Int) {
        guard let process = self.processes[index] else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Stops a daemon with SIGTERM and returns its exit status.
    func terminate(_ index: Int) -> Int32? {
        guard let process = self.processes[index] else { return nil }
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }

    func isRunning(_ index: Int) -> Bool { self.processes[index]?.isRunning ?? false }

    /// `GET` an admin API path of node `index` as JSON; `nil` while the daemon is not answering.
    func get(_ index: Int, _ path: String) async -> Any? {
        guard let url = URL(string: "http://127.0.0.1:\(self.nodes[index].apiPort)\(path)"),
            let (data, response) = try? await URLSession.shared.data(from: url),
            (response as? HTTPURLResponse)?.statusCode == 200
        else { return nil }
        return try? JSONSerialization.jsonObject(with: data)
    }

    func subnet(of index: Int) -> Subnet { self.nodes[index].subnet }
}
