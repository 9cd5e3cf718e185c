import MyceliumCore
import MyceliumCrypto
import NIOCore
import Testing

@testable import MyceliumMailGateway

/// Mail between two gateways over in-memory buses: delivery, reports, bounces, store-and-forward, deduplication,
/// allow-lists and expiry. (Real sockets and real clients are in the server and integration tests.)
@Suite(.serialized) struct MailGatewayDeliveryTests {
    static func mail(from user: String, to recipients: [MailAddress], subject: String) -> SubmittedMail {
        SubmittedMail(
            user: user, reversePath: MailAddress(localPart: user, domain: "example"), recipients: recipients,
            content: Array("From: \(user)@example\r\nSubject: \(subject)\r\n\r\nHello across the overlay.\r\n".utf8),
            clientName: "[127.0.0.1]"
        )
    }

    @Test func deliversToARemoteUserAndBouncesAnUnknownOne() async throws {
        let harness = try MailGatewayHarness(count: 2, users: [["alice"], ["bob"]])
        let b = harness.nodes[1]
        let bob = MailAddress.mycelium(user: "bob", node: b.bus.address)
        let carol = MailAddress(localPart: "carol", domain: "[IPv6:\(b.bus.address)]")
        try await harness.run {
            let router = harness.nodes[0].gateway.router
            #expect(await router.check(recipient: bob, from: "alice") == nil)
            #expect(await router.check(recipient: carol, from: "alice") == nil)  // unknown only to node B
            try await router.submit(Self.mail(from: "alice", to: [bob, carol], subject: "one"))
            #expect(try await MailGatewayHarness.eventually { try await harness.inbox(1, "bob").count == 1 })
            #expect(try await MailGatewayHarness.eventually { try await harness.inbox(0, "alice").count == 1 })
            let received = try await harness.inbox(1, "bob")[0]
            #expect(received.hasPrefix("Return-Path: <alice@\(harness.nodes[0].domain)>\r\n"))
            #expect(received.contains("Subject: one\r\n"))
            #expect(received.contains("Message-ID: <"))  // added by the submission server
            let bounce = try await harness.inbox(0, "alice")[0]
            #expect(bounce.contains("Subject: Undelivered Mail Returned to Sender"))
            #expect(bounce.contains("Final-Recipient: rfc822; carol@[IPv6:\(b.bus.address)]"))
            #expect(bounce.contains("Status: 5.1.1"))
            #expect(bounce.contains("Subject: one"))  // the original header is quoted
            #expect(try await MailGatewayHarness.eventually { try await harness.nodes[0].gateway.queue.all().isEmpty })
        }
    }

    @Test func deliversLocallyAtOnceAndRefusesUnknownLocalUsersAtRCPT() async throws {
        let harness = try MailGatewayHarness(count: 1, users: [["alice", "bob"]])
        let node = harness.nodes[0]
        try await harness.run {
            let router = node.gateway.router
            let nobody = MailAddress(localPart: "nobody", domain: "localhost")
            #expect(await router.check(recipient: nobody, from: "alice")?.enhancedStatus == "5.1.1")
            let elsewhere = MailAddress(localPart: "x", domain: "example.com")
            #expect(await router.check(recipient: elsewhere, from: "alice")?.code == 550)
            let bob = MailAddress(localPart: "Bob", domain: "[IPv6:\(node.bus.address)]")
            try await router.submit(Self.mail(from: "alice", to: [bob], subject: "local"))
            // On disk before submit returned: no waiting.
            let inbox = try await harness.inbox(0, "bob")
            #expect(inbox.count == 1)
            #expect(inbox.first?.contains("Delivered-To: bob@\(node.domain)") == true)
            #expect(node.bus.sent.isEmpty)
        }
    }

    @Test func storesAndForwardsWhileTheDestinationIsDownAndDeliversOnce() async throws {
        let harness = try MailGatewayHarness(
            count: 2, configure: { _, configuration in configuration.resendInterval = .seconds(1) },
            users: [["alice"], ["bob"]]
        )
        let bob = MailAddress.mycelium(user: "bob", node: harness.nodes[1].bus.address)
        try await harness.run {
            harness.pause(1)
            try await harness.nodes[0].gateway.router.submit(Self.mail(from: "alice", to: [bob], subject: "later"))
            #expect(try await harness.nodes[0].gateway.queue.all().count == 1)
            // The agent hands it to the bus again each second while no report comes.
            #expect(try await MailGatewayHarness.eventually { harness.nodes[0].bus.sent.count >= 3 })
            #expect(try await harness.inbox(1, "bob").isEmpty)
            harness.resume(1)
            #expect(try await MailGatewayHarness.eventually { try await harness.nodes[0].gateway.queue.all().isEmpty })
            try await Task.sleep(for: .milliseconds(300))
            let inbox = try await harness.inbox(1, "bob")
            #expect(inbox.count == 1)  // three copies arrived, one was stored
            #expect(try await harness.inbox(0, "alice").isEmpty)  // no bounce
        }
    }

    @Test func refusesNodesOutsideTheAllowList() async throws {
        let harness = try MailGatewayHarness(
            count: 2, configure: { index, configuration in if index == 1 { configuration.allow = .nobody } },
            users: [["alice"], ["bob"]]
        )
        let bob = MailAddress.mycelium(user: "bob", node: harness.nodes[1].bus.address)
        try await harness.run {
            try await harness.nodes[0].gateway.router.submit(Self.mail(from: "alice", to: [bob], subject: "no"))
            #expect(try await MailGatewayHarness.eventually { try await harness.inbox(0, "alice").count == 1 })
            #expect(try await harness.inbox(0, "alice")[0].contains("Status: 5.7.1"))
            #expect(try await harness.inbox(1, "bob").isEmpty)
        }
    }

    @Test func bouncesWhenTheQueueLifetimeEnds() async throws {
        let harness = try MailGatewayHarness(
            count: 2, configure: { _, configuration in configuration.queueLifetime = .seconds(1) },
            users: [["alice"], ["bob"]]
        )
        let bob = MailAddress.mycelium(user: "bob", node: harness.nodes[1].bus.address)
        try await harness.run {
            harness.pause(1)
            try await harness.nodes[0].gateway.router.submit(Self.mail(from: "alice", to: [bob], subject: "expires"))
            #expect(try await MailGatewayHarness.eventually { try await harness.inbox(0, "alice").count == 1 })
            let bounce = try await harness.inbox(0, "alice")[0]
            #expect(bounce.contains("Status: 4.4.7"))
            #expect(try await harness.nodes[0].gateway.queue.all().isEmpty)
        }
    }

    @Test func ignoresMalformedEnvelopesAndReportsFromTheWrongNode() async throws {
        let harness = try MailGatewayHarness(count: 2, users: [["alice"], ["bob"]])
        let a = harness.nodes[0]
        try await harness.run {
            harness.pause(1)
            let bob = MailAddress.mycelium(user: "bob", node: harness.nodes[1].bus.address)
            try await a.gateway.router.submit(Self.mail(from: "alice", to: [bob], subject: "x"))
            let id = try #require(try await a.gateway.queue.all().first?.id)
            // Garbage, then a forged "delivered" report from a third node: neither settles the entry.
            _ = a.bus.deliver([1, 9, 9], topic: MailEnvelope.topic, from: X25519Key.random())
            var forged = ByteBuffer()
            forged.writeMailEnvelope(
                .report(.init(id: id, results: [.init(recipient: "bob", code: 250, enhancedStatus: "2.0.0", text: "ok")]))
            )
            _ = a.bus.deliver(Array(buffer: forged), topic: MailEnvelope.topic, from: X25519Key.random())
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await a.gateway.queue.all().count == 1)
        }
    }
}
