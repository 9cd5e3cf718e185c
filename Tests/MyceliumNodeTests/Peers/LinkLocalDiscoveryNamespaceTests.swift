import Foundation
import Logging
import MyceliumCore
import MyceliumCrypto
import NIOCore
import Testing

@testable import MyceliumNode

/// Link-local discovery over a real veth pair, root only. Nothing leaves the machine: one end of the pair stays in
/// this process's network namespace, the other is moved into a namespace created for the test, and discovery is
/// restricted (allow-list) to our end. A Python script in the namespace plays the other node: it joins `ff02::cafe`,
/// sends a beacon every 100 ms, prints the first foreign beacon it receives, and accepts one TCP connection on the
/// port its beacon announces.
///
/// What this covers: joining the group on the allowed interface, sending our 50-byte beacon to `[ff02::cafe%if]:port`,
/// receiving a beacon from an `fe80::` source with its scope, reporting `tcp://[fe80::2%<our interface>]:<port>`,
/// and (second test) the `PeerManager` dialling that zoned link-local endpoint. It does not cover several interfaces
/// or interface changes between ticks.
@Suite("Link-local discovery over a veth pair (root only)", .serialized)
struct LinkLocalDiscoveryNamespaceTests {
    /// The other node, run as `python3 -c script <interface> <udp port> <router id hex> <tcp port>`.
    static let script = """
        import socket, struct, sys, time
        iface, port, rid_hex, tcp_port = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
        index = socket.if_nametoindex(iface)
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.bind(("::", port))
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, socket.inet_pton(socket.AF_INET6, "ff02::cafe") + struct.pack("@I", index))
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, 0)
        s.settimeout(0.1)
        t = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        t.bind(("::", tcp_port))
        t.listen(4)
        t.setblocking(False)
        beacon = b"mycelium" + struct.pack(">H", tcp_port) + bytes.fromhex(rid_hex)
        received, accepted = None, None
        deadline = time.time() + 90
        while time.time() < deadline and (received is None or (accepted is None and tcp_port != 1)):
            s.sendto(beacon, ("ff02::cafe", port, 0, index))
            try:
                data, source = s.recvfrom(100)
                if data != beacon and received is None:
                    received = (data.hex(), source[0])
            except socket.timeout:
                pass
            try:
                connection, remote = t.accept()
                accepted = remote[0]
            except BlockingIOError:
                pass
        print(received[0] if received else "-", received[1] if received else "-", accepted or "-", flush=True)
        sys.exit(0 if received else 1)
        """

    /// A veth pair: `ours` in this namespace with `fe80::1`, `theirs` in `namespace` with `fe80::2`.
    struct VethPair {
        let namespace: String
        let ours: String
        let theirs: String

        static func make() throws -> VethPair? {
            let id = String(UInt32.random(in: 0..<1_000_000), radix: 36)
            let pair = VethPair(namespace: "mycdisc\(id)", ours: "mdo\(id)", theirs: "mdt\(id)")
            guard (try? ip(["netns", "add", pair.namespace])) != nil else { return nil }
            do {
                try ip(["link", "add", pair.ours, "type", "veth", "peer", "name", pair.theirs])
                try ip(["link", "set", pair.theirs, "netns", pair.namespace])
                // Fixed link-local addresses without duplicate address detection, usable at once.
                try ip(["link", "set", pair.ours, "addrgenmode", "none"])
                try ip(["-n", pair.namespace, "link", "set", pair.theirs, "addrgenmode", "none"])
                try ip(["addr", "add", "fe80::1/64", "dev", pair.ours, "nodad"])
                try ip(["-n", pair.namespace, "addr", "add", "fe80::2/64", "dev", pair.theirs, "nodad"])
                try ip(["link", "set", pair.ours, "up"])
                try ip(["-n", pair.namespace, "link", "set", pair.theirs, "up"])
            } catch {
                pair.remove()
                throw error
            }
            return pair
        }

        func remove() {
            _ = try? ip(["link", "del", self.ours], allowFailure: true)
            _ = try? ip(["netns", "del", self.namespace], allowFailure: true)
        }

        /// Starts the script in the namespace; its output line is `<beacon hex> <source> <accepted-from>`.
        func startOtherNode(udpPort: Int, routerID: RouterID, tcpPort: Int) throws -> (Process, Pipe) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
            process.arguments = [
                "netns", "exec", self.namespace, "/usr/bin/python3", "-c", LinkLocalDiscoveryNamespaceTests.script,
                self.theirs, String(udpPort), Hex.encode(routerID.bytes), String(tcpPort),
            ]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            return (process, output)
        }
    }

    @discardableResult
    static func ip(_ arguments: [String], allowFailure: Bool = false) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        if !allowFailure && process.terminationStatus != 0 {
            throw TimedOut(what: "ip \(arguments.joined(separator: " ")) (exit \(process.terminationStatus))")
        }
        return process.terminationStatus
    }

    /// `nil` (after printing why) when the test cannot run here.
    static func skipReason() -> String? {
        guard getuid() == 0 else { return "link-local discovery over veth needs root (network namespaces)" }
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip"),
            FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
        else { return "needs /usr/sbin/ip and /usr/bin/python3" }
        return nil
    }

    static func outputFields(_ pipe: Pipe) -> [String] {
        String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .split(whereSeparator: \.isWhitespace)
            .map(String.init)
    }

    static func beaconHex(port: Int, routerID: RouterID) -> String {
        var beacon = ByteBuffer()
        beacon.writeDiscoveryBeacon(DiscoveryBeacon(tcpPort: UInt16(port), routerID: routerID))
        return Hex.encode(beacon.readableBytesView)
    }

    /// What `withOtherNode` hands its body: the veth pair, the UDP port for beacons, the script's process and its
    /// output.
    struct OtherNode {
        let pair: VethPair
        let udpPort: Int
        let python: Process
        let output: Pipe
    }

    /// Creates a veth pair, starts the script (router ID seed 2, announcing `tcpPort`) in its namespace on a random UDP
    /// port, runs `body`, then stops the script and removes the pair. Prints why and returns without running `body`
    /// when the test cannot run here.
    static func withOtherNode(tcpPort: Int, _ body: (OtherNode) async throws -> Void) async throws {
        if let reason = Self.skipReason() {
            print("SKIPPED: \(reason)")
            return
        }
        guard let pair = try VethPair.make() else {
            print("SKIPPED: cannot create a network namespace here")
            return
        }
        defer { pair.remove() }
        let udpPort = Int.random(in: 20000..<60000)
        let (python, output) = try pair.startOtherNode(
            udpPort: udpPort, routerID: try PeerFixtures.routerID(2), tcpPort: tcpPort)
        defer { if python.isRunning { python.terminate() } }
        try await body(OtherNode(pair: pair, udpPort: udpPort, python: python, output: output))
    }

    @Test("beacons both ways between our socket and a node in another namespace")
    func beaconExchange() async throws {
        let ourRouter = try PeerFixtures.routerID(1)
        // TCP port 1 tells the script not to wait for a connection.
        try await Self.withOtherNode(tcpPort: 1) { other in
            let (pair, udpPort, python, output) = (other.pair, other.udpPort, other.python, other.output)

            let logs = LogRecorder()
            let sink = RecordingSink(port: 4242)
            let discovery = LinkLocalDiscovery(
                configuration: .init(port: udpPort, interfaces: [pair.ours], beaconInterval: .milliseconds(200)),
                routerID: ourRouter,
                peers: sink,
                logger: logs.logger()
            )
            try await withServices([discovery], logger: logs.logger()) { _ in
                let expected = try PeerEndpoint(parsing: "tcp://[fe80::2%\(pair.ours)]:1")
                try await eventually("their beacon reported", timeout: .seconds(90)) {
                    sink.found.withLock { $0 } == [expected]
                }
                try await eventually("the script received our beacon", timeout: .seconds(90)) { !python.isRunning }
            }
            #expect(python.terminationStatus == 0)
            let fields = Self.outputFields(output)
            #expect(fields.first == Self.beaconHex(port: 4242, routerID: ourRouter))
            #expect(fields.dropFirst().first?.hasPrefix("fe80::1") == true)
            #expect(!logs.contains(.warning, "cannot"))
        }
    }

    @Test("a discovered link-local peer is dialled by the PeerManager over its zone")
    func discoveredPeerIsDialled() async throws {
        let tcpPort = Int.random(in: 20000..<60000)
        try await Self.withOtherNode(tcpPort: tcpPort) { other in
            let (pair, udpPort, python, output) = (other.pair, other.udpPort, other.python, other.output)

            let logs = LogRecorder()
            let delegate = RecordingDelegate()
            let manager = PeerManager(
                configuration: PeerFixtures.configuration(), delegate: delegate, logger: logs.logger("peers"))
            let discovery = LinkLocalDiscovery(
                configuration: .init(port: udpPort, interfaces: [pair.ours], beaconInterval: .milliseconds(200)),
                routerID: try PeerFixtures.routerID(1),
                peers: manager,
                logger: logs.logger("discovery")
            )
            try await withServices([manager, discovery], logger: logs.logger()) { _ in
                let expected = try PeerEndpoint(parsing: "tcp://[fe80::2%\(pair.ours)]:\(tcpPort)")
                try await eventually("link to the discovered peer", timeout: .seconds(90)) {
                    manager.statuses().contains { $0.endpoint == expected && $0.origin == .linkLocalDiscovery }
                        && delegate.upCount >= 1
                }
                let link = try #require(delegate.allLinks.first)
                #expect(link.linkKind == .tcpIPv6)
                #expect(
                    link.connectionDescription.hasSuffix("<-> [fe80::2%\(if_nametoindex(pair.ours))]:\(tcpPort)")
                )
                try await eventually("the script finished", timeout: .seconds(90)) { !python.isRunning }
            }
            let fields = Self.outputFields(output)
            #expect(fields.count == 3)
            #expect(fields.last?.hasPrefix("fe80::1") == true)
        }
    }
}
