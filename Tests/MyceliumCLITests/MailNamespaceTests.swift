import Foundation
import MyceliumCore
import MyceliumCrypto
import Testing

/// The mail flow across two nodes in their own network namespaces (real TUNs, a veth between them), each node's mail
/// gateway on its default loopback ports inside its namespace: alice on A writes with swaks, bob on B sees it arrive
/// in IMAP IDLE; B is killed, A accepts mail for bob, B restarts and the mail arrives. Root only; prints SKIPPED and
/// passes otherwise.
@Suite("Mail gateway across network namespaces (root only)", .serialized)
struct MailNamespaceTests {
    static let tools = ["curl", "python3", "ss", "swaks"]
    static let password = "correct horse"
    static let python =
        FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"

    @Test("alice on A → bob on B across namespaces; IDLE sees it; B down, send, B up: it arrives")
    func mailAcrossNamespaces() async throws {
        if let reason = NamespaceNetwork.skipReason(tools: Self.tools) {
            print("SKIPPED: \(reason)")
            return
        }
        let network: NamespaceNetwork
        do {
            network = try NamespaceNetwork(names: ["A", "B"], links: [(0, 1)])
        } catch let error as NamespaceNetworkError where error.description.hasPrefix("ip netns add") {
            print("SKIPPED: cannot create network namespaces here: \(error)")
            return
        }
        defer { network.tearDown() }
        for index in 0..<2 {
            try "[gateways.mail]\nenabled = true\nresend_interval_seconds = 5\n"
                .write(toFile: "\(network.directory)/config-\(index).toml", atomically: true, encoding: .utf8)
            let user = index == 0 ? "alice" : "bob"
            let added = try MyceliumProcess.run(
                ["-c", network.configPath(index), "--state-dir", network.stateDirectory(index), "user", "add", user],
                input: Data((Self.password + "\n").utf8)
            )
            try #require(added.status == 0, "user add: \(added.standardError)")
        }
        try await network.waitForLinks()
        try await network.startAll()
        let converged = try await NamespaceNetwork.waitUntil(timeout: .seconds(15)) { await network.isConverged() }
        try #require(converged != nil, "A and B did not converge\n\(network.logTails())")
        for index in 0..<2 {
            let up = try await NamespaceNetwork.waitUntil(timeout: .seconds(10)) {
                await network.isListening(index, tcpPort: 2525)
            }
            try #require(up != nil, "node \(index)'s SMTP listener is not up\n\(network.logTails())")
        }
        let alice = MailGatewayDaemonTests.domainAddress("alice", network.nodes[0].secretKey.publicKey)
        let bob = MailGatewayDaemonTests.domainAddress("bob", network.nodes[1].secretKey.publicKey)
        let script = MailGatewayDaemonTests.script

        let idle = try network.spawn(
            1, [Self.python, script, "idle", "127.0.0.1", "1143", "bob", Self.password, "across namespaces", "60"]
        )
        try await Task.sleep(for: .seconds(1))
        let clock = ContinuousClock()
        let start = clock.now
        let swaks = await network.run(
            0,
            [
                "swaks", "--server", "127.0.0.1:2525", "--auth", "PLAIN", "--auth-user", "alice", "--auth-password",
                Self.password, "--from", alice, "--to", bob, "--header", "Subject: across namespaces",
                "--body", "From namespace A to namespace B.",
            ],
            timeout: .seconds(30)
        )
        #expect(swaks.succeeded, "swaks: \(swaks.standardOutput)\(swaks.standardError)")
        let idled = await idle.wait(timeout: .seconds(60))
        #expect(idled.succeeded, "IDLE on B: \(idled.standardOutput)\(idled.standardError)\n\(network.logTails())")
        print("mail: netns A → B: swaks accepted and B's IMAP IDLE saw it after \((clock.now - start).millisecondsClamped) ms")

        await network.killDaemon(1)
        let whileDown = await network.run(
            0, [Self.python, script, "send", "127.0.0.1", "2525", "alice", Self.password, alice, bob, "while B was down"],
            timeout: .seconds(30)
        )
        #expect(whileDown.succeeded, "send while B down: \(whileDown.standardOutput)\(whileDown.standardError)")
        try network.start(1)
        let restarted = clock.now
        let arrived = await network.run(
            1, [Self.python, script, "wait", "127.0.0.1", "1143", "bob", Self.password, "while B was down", "90"],
            timeout: .seconds(100)
        )
        #expect(arrived.succeeded, "after B restarted: \(arrived.standardOutput)\n\(network.logTails())")
        print("mail: netns B restarted; the mail sent while it was down arrived after \((clock.now - restarted).millisecondsClamped) ms")
    }
}
