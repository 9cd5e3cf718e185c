import Foundation
import MyceliumCore
import MyceliumCrypto
import Testing

/// The TUN data plane end to end (spec §4): real `mycelium` daemons, one per network namespace, each with its own TUN,
/// linked by veth pairs, exercised with the ordinary tools — ping, iperf3, traceroute and a Python socket pair.
/// Root only; prints a SKIPPED line and passes when not root or a tool is missing. Nothing leaves the machine: the
/// daemons peer over veth links between namespaces this suite creates (see ``NamespaceNetwork``).
///
/// Figures go to stdout as `dataplane: …` lines (debug builds, two shared cores: they are indications, not limits).
@Suite("Data plane over real TUNs in network namespaces (root only)", .serialized)
struct DataPlaneNamespaceTests {
    static let tools = ["ping", "iperf3", "traceroute", "curl", "python3", "ss"]
    static let python =
        FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
    #if DEBUG
    static let build = "debug build"
    #else
    static let build = "release build"
    #endif

    /// Creates the namespaces and links, starts the daemons and waits until every node has a selected route to every
    /// other one (≤ 10 s after the first daemon starts; the figure printed is that time). `nil` (after printing why)
    /// when the suite cannot run here.
    static func converged(
        _ label: String, names: [String], links: [(Int, Int)]
    ) async throws -> NamespaceNetwork? {
        if let reason = NamespaceNetwork.skipReason(tools: Self.tools) {
            print("SKIPPED: \(reason)")
            return nil
        }
        let network: NamespaceNetwork
        do {
            network = try NamespaceNetwork(names: names, links: links)
        } catch let error as NamespaceNetworkError where error.description.hasPrefix("ip netns add") {
            print("SKIPPED: cannot create network namespaces here: \(error)")
            return nil
        }
        do {
            try await network.waitForLinks()
            let clock = ContinuousClock()
            let start = clock.now
            try await network.startAll()
            let converged = try await NamespaceNetwork.waitUntil(timeout: .seconds(10) - (clock.now - start)) {
                await network.isConverged()
            }
            guard converged != nil else {
                throw NamespaceNetworkError(
                    description: "\(label) not converged within 10 s of start\n\(network.logTails())")
            }
            print("dataplane: \(label) converged in \((clock.now - start).millisecondsClamped) ms")
        } catch {
            network.tearDown()
            throw error
        }
        return network
    }

    /// A–B–C: veth A–B and B–C only, so A reaches C through B.
    static func line() async throws -> NamespaceNetwork? {
        try await Self.converged("line A–B–C", names: ["A", "B", "C"], links: [(0, 1), (1, 2)])
    }

    /// Whether node `index`'s TUN exists and carries its overlay address: without it nothing below can work, and the
    /// failure says so plainly.
    static func expectTUN(_ network: NamespaceNetwork, _ index: Int) async {
        let node = network.nodes[index]
        let result = await network.run(
            index, ["ip", "-6", "-o", "addr", "show", "dev", NamespaceNetwork.tunName], timeout: .seconds(5))
        let addresses = result.standardOutput.split(whereSeparator: \.isWhitespace)
            .compactMap { IPv6Address(String($0.split(separator: "/").first ?? "")) }
        let logs = network.logTails(lines: 5)
        #expect(
            addresses.contains(node.address),
            "\(node.name)'s TUN \(NamespaceNetwork.tunName) lacks \(node.address): \(result.transcript)\n\(logs)"
        )
    }

    // MARK: - Tests

    @Test("line A–B–C: A pings C's overlay address over two overlay hops")
    func pingOverTwoHops() async throws {
        guard let network = try await Self.line() else { return }
        defer { network.tearDown() }
        for index in network.nodes.indices { await Self.expectTUN(network, index) }
        let target = network.nodes[2].address.description
        let result = await network.run(
            0, ["ping", "-6", "-n", "-c", "3", "-i", "0.2", "-W", "5", target], timeout: .seconds(30))
        #expect(result.succeeded, "ping A→C failed: \(result.transcript)\n\(network.logTails())")
        #expect(result.standardOutput.contains("from \(target)"), "no reply from C: \(result.standardOutput)")
        if let average = Self.averageRoundTrip(result.standardOutput) {
            print("dataplane: ping A→C over 2 overlay hops: avg \(average) ms")
        }
    }

    @Test("line A–B–C: TCP A→C with iperf3, and a 4 MiB payload arrives byte-identical")
    func tcpTransfer() async throws {
        guard let network = try await Self.line() else { return }
        defer { network.tearDown() }
        let target = network.nodes[2].address.description

        // iperf3 for the throughput figure.
        let server = try network.spawn(2, ["iperf3", "-s", "-1", "-B", target, "-p", "5201"])
        let listening = try await NamespaceNetwork.waitUntil(timeout: .seconds(10)) {
            await network.isListening(2, tcpPort: 5201) || !server.isRunning
        }
        try #require(
            listening != nil && server.isRunning,
            "iperf3 server in C not listening on [\(target)]:5201: \(server.standardOutput) \(server.standardError)"
        )
        let client = await network.run(
            0, ["iperf3", "-c", target, "-p", "5201", "-t", "2", "-J", "--connect-timeout", "10000"],
            timeout: .seconds(60))
        let report = try? JSONSerialization.jsonObject(with: Data(client.standardOutput.utf8)) as? [String: Any]
        let received = (report?["end"] as? [String: Any])?["sum_received"] as? [String: Any]
        let bytes = (received?["bytes"] as? NSNumber)?.int64Value ?? 0
        let bitsPerSecond = (received?["bits_per_second"] as? NSNumber)?.doubleValue ?? 0
        #expect(client.succeeded, "iperf3 client failed: \(client.transcript)\n\(network.logTails())")
        #expect(report?["error"] == nil, "iperf3 reported an error: \(String(describing: report?["error"]))")
        #expect(bytes > 0, "iperf3: C received nothing")
        _ = await server.wait(timeout: .seconds(10))
        print("dataplane: TCP A→C \(String(format: "%.1f", bitsPerSecond / 1e6)) Mbit/s (\(Self.build))")

        // A known payload, hashed on both ends: catches corruption that iperf would not notice.
        let size = 4 << 20
        let random = try #require(FileHandle(forReadingAtPath: "/dev/urandom"))
        let payload = random.readData(ofLength: size)
        try random.close()
        try #require(payload.count == size)
        let payloadPath = network.directory + "/payload.bin"
        try payload.write(to: URL(fileURLWithPath: payloadPath))
        let sink = try network.spawn(2, [Self.python, "-c", Self.sinkScript, target, "7000"])
        let sinkListening = try await NamespaceNetwork.waitUntil(timeout: .seconds(10)) {
            await network.isListening(2, tcpPort: 7000) || !sink.isRunning
        }
        try #require(sinkListening != nil && sink.isRunning, "payload sink in C not listening: \(sink.standardError)")
        let clock = ContinuousClock()
        let start = clock.now
        let sender = await network.run(
            0, [Self.python, "-c", Self.senderScript, target, "7000", payloadPath], timeout: .seconds(120))
        let elapsed = clock.now - start
        let sinkResult = await sink.wait(timeout: .seconds(10))
        #expect(sender.succeeded, "payload sender failed: \(sender.transcript)\n\(network.logTails())")
        #expect(sinkResult.succeeded, "payload sink failed: \(sinkResult.transcript)")
        // Sender: "<bytes sent> <sha256 sent> <bytes the sink got> <sha256 the sink computed>".
        let fields = sender.standardOutput.split(whereSeparator: \.isWhitespace).map(String.init)
        #expect(fields.count == 4, "unexpected sender output: \(sender.standardOutput)")
        if fields.count == 4 {
            #expect(fields[0] == String(size))
            #expect(fields[2] == String(size), "C received \(fields[2]) of \(size) bytes")
            #expect(fields[1] == fields[3], "the payload arrived corrupted (SHA-256 differs)")
            #expect(
                sinkResult.standardOutput.contains(fields[1]),
                "the sink's own report differs: \(sinkResult.standardOutput)")
            print("dataplane: 4 MiB A→C arrived byte-identical in \(elapsed.millisecondsClamped) ms")
        }
    }

    @Test("line A–B–C: traceroute A→C shows B's /64 network address and ends at C")
    func traceroute() async throws {
        guard let network = try await Self.line() else { return }
        defer { network.tearDown() }
        let target = network.nodes[2].address
        let router = network.nodes[1].subnet.address
        // Two probes per hop (a hop counts if either is answered), one probe at a time (-N 1) so that no reply is
        // lost to ICMP rate limits.
        let result = await network.run(
            0, ["traceroute", "-6", "-n", "-w", "2", "-q", "2", "-N", "1", "-m", "8", target.description],
            timeout: .seconds(60))
        let hops = Self.traceHops(result.standardOutput)
        #expect(result.succeeded, "traceroute failed: \(result.transcript)\n\(network.logTails())")
        #expect(
            hops.contains { $0 == router },
            "no hop from B's subnet address \(router): \(result.standardOutput)\n\(network.logTails())"
        )
        #expect(hops.last == target, "traceroute did not end at C (\(target)): \(result.standardOutput)")
        let names = hops.map { hop -> String in
            guard let hop else { return "*" }
            if let node = network.nodes.first(where: { $0.address == hop }) { return "\(node.name) (\(hop))" }
            if let node = network.nodes.first(where: { $0.subnet.address == hop }) {
                return "\(node.name)'s /64 (\(hop))"
            }
            return hop.description
        }
        print("dataplane: traceroute A→C: \(names.joined(separator: " → "))")
    }

    @Test("triangle A–B–C: a silent cut of the direct A–C link moves pings A→C onto B")
    func triangleFailover() async throws {
        // Links: 1 = A–B, 2 = B–C, 3 = A–C.
        guard
            let network = try await Self.converged(
                "triangle A–B–C", names: ["A", "B", "C"], links: [(0, 1), (1, 2), (0, 2)])
        else { return }
        defer { network.tearDown() }
        let direct = try #require(network.link(0, 2))
        let (a, c) = (network.nodes[0], network.nodes[2])

        // Both directions take the direct link before the cut.
        let onDirect = try await NamespaceNetwork.waitUntil(timeout: .seconds(10)) {
            let there = await network.selectedRoutes(0)?[c.subnet.description]
            let back = await network.selectedRoutes(2)?[a.subnet.description]
            return there?.contains(direct.addressPrefix) == true && back?.contains(direct.addressPrefix) == true
        }
        if onDirect == nil {
            let (there, back) = (await network.selectedRoutes(0) ?? [:], await network.selectedRoutes(2) ?? [:])
            Issue.record("A→C / C→A do not use the direct link \(direct.addressPrefix)/64: A: \(there) C: \(back)")
            return
        }

        let ping = try network.spawn(0, ["ping", "-6", "-n", "-i", "0.01", "-D", "-W", "1", c.address.description])
        let flowing = try await NamespaceNetwork.waitUntil(timeout: .seconds(10)) {
            Self.replyTimes(ping.standardOutput).count >= 20
        }
        try #require(
            flowing != nil, "no ping replies A→C before the cut: \(ping.standardOutput) \(ping.standardError)")
        try await Task.sleep(for: .seconds(1))

        // Down on A's end: the kernel drops the link's packets both ways, and neither daemon gets a FIN or RST.
        let cutTime = Date().timeIntervalSince1970
        try NamespaceNetwork.ip(["-n", a.namespace, "link", "set", network.interface(direct, at: 0), "down"])
        // Until replies flow again at least 3 s after the cut (or 15 s).
        _ = try await NamespaceNetwork.waitUntil(timeout: .seconds(15)) {
            let now = Date().timeIntervalSince1970
            guard let last = Self.replyTimes(ping.standardOutput).last else { return false }
            return now - cutTime >= 3 && last > cutTime && now - last < 1
        }
        ping.signal(SIGINT)
        let stopTime = Date().timeIntervalSince1970
        let result = await ping.wait(timeout: .seconds(5))
        // The stop time closes the last gap, so pings that never resume count as one long gap.
        let times = Self.replyTimes(result.standardOutput).filter { $0 < stopTime } + [stopTime]
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
        let longest = gaps.max() ?? 0
        #expect(
            longest < 5,
            "pings stopped for \(Int(longest * 1000)) ms after the cut\n\(result.standardError)\n\(network.logTails())"
        )

        let rerouted = await network.selectedRoutes(0)?[c.subnet.description] ?? "none"
        #expect(
            rerouted.contains(network.link(0, 1)?.addressPrefix ?? "-"), "A's route to C after the cut: \(rerouted)")
        print("dataplane: triangle, silent cut of A–C: pings stopped for \(Int((longest * 1000).rounded())) ms")
    }

    @Test("errors: a ping to an overlay address nobody owns fails without hanging; one into A's own /64 fails at once")
    func unreachable() async throws {
        guard let network = try await Self.converged("pair A–B", names: ["A", "B"], links: [(0, 1)]) else { return }
        defer { network.tearDown() }
        let nobody = X25519.SecretKey.generate().publicKey.overlayAddress
        let own = network.nodes[0].address
        let neighbour = IPv6Address(high: own.high, low: own.low ^ 1)

        // The slow one (route request, then no route after the 15 s query timeout) in the background.
        let lost = try network.spawn(0, ["ping", "-6", "-n", "-c", "1", "-W", "20", nobody.description])

        // Spec §4.2 step 2: local ICMPv6 Destination Unreachable, code 3 (address unreachable).
        let local = await network.run(
            0, ["ping", "-6", "-n", "-c", "1", "-W", "5", neighbour.description], timeout: .seconds(15))
        #expect(!local.succeeded && !local.timedOut)
        #expect(
            local.standardOutput.contains("Address unreachable"),
            "no Destination Unreachable (address unreachable) for \(neighbour): \(local.transcript)"
        )
        #expect(local.duration < .seconds(3), "the local ICMP error took \(local.duration.millisecondsClamped) ms")

        let remote = await lost.wait(timeout: .seconds(40))
        #expect(!remote.timedOut, "ping to \(nobody) hung: \(remote.transcript)")
        #expect(remote.status != 0, "ping to \(nobody), which no node owns, succeeded: \(remote.transcript)")
        let how = remote.standardOutput.split(separator: "\n").first { $0.hasPrefix("From ") }.map(String.init)
        print(
            "dataplane: ping into A's own /64: "
                + (local.standardOutput.contains("Address unreachable") ? "Address unreachable" : "no ICMP error")
                + " after \(local.duration.millisecondsClamped) ms; to an unowned overlay address: failed after "
                + "\(remote.duration.millisecondsClamped) ms (\(how ?? "no ICMP error"))"
        )
    }

    // MARK: - Output parsing

    /// The `avg` of ping's `rtt min/avg/max/mdev = …` line.
    static func averageRoundTrip(_ output: String) -> String? {
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("rtt ") }),
            let values = line.split(separator: "=").last?.trimmingCharacters(in: .whitespaces).split(separator: "/"),
            values.count >= 2
        else { return nil }
        return String(values[1])
    }

    /// The arrival times (`-D`, seconds since 1970) of ping's replies.
    static func replyTimes(_ output: String) -> [Double] {
        output.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("["), line.contains(" bytes from "), let close = line.firstIndex(of: "]") else {
                return nil
            }
            return Double(line[line.index(after: line.startIndex)..<close])
        }
    }

    /// The first address answering each hop of `traceroute -n` (`nil` when every probe of the hop got `*`).
    static func traceHops(_ output: String) -> [IPv6Address?] {
        output.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(whereSeparator: \.isWhitespace)
            guard let hop = fields.first, Int(hop) != nil else { return nil }
            return fields.dropFirst().lazy.compactMap { IPv6Address(String($0)) }.first
        }
    }

    // MARK: - Payload scripts

    /// `sink.py <address> <port>`: accepts one connection, reads to EOF, answers and prints `<bytes> <sha256>`.
    static let sinkScript = """
        import hashlib, socket, sys
        address, port = sys.argv[1], int(sys.argv[2])
        server = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((address, port))
        server.listen(1)
        server.settimeout(90)
        connection, _ = server.accept()
        connection.settimeout(90)
        digest, count = hashlib.sha256(), 0
        while True:
            data = connection.recv(65536)
            if not data:
                break
            digest.update(data)
            count += len(data)
        report = f"{count} {digest.hexdigest()}"
        connection.sendall(report.encode() + b"\\n")
        connection.close()
        print(report, flush=True)
        """

    /// `sender.py <address> <port> <file>`: sends the file, half-closes, prints `<bytes> <sha256>` and the sink's
    /// answer.
    static let senderScript = """
        import hashlib, socket, sys
        address, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
        data = open(path, "rb").read()
        connection = socket.create_connection((address, port), timeout=90)
        connection.sendall(data)
        connection.shutdown(socket.SHUT_WR)
        answer = b""
        while True:
            chunk = connection.recv(4096)
            if not chunk:
                break
            answer += chunk
        print(len(data), hashlib.sha256(data).hexdigest(), answer.decode().strip(), flush=True)
        """
}
