import MyceliumTesting
import NIOCore
import Testing

@testable import MyceliumMailGateway

@Suite struct MailEnvelopeTests {
    static let delivery = MailEnvelope.delivery(
        MailDelivery(id: 0x0102_0304_0506_0708, sender: "al", reversePath: "a@b", recipients: ["bob"], content: Array("Hi".utf8))
    )
    static let deliveryBytes: [UInt8] =
        [1, 1, 1, 2, 3, 4, 5, 6, 7, 8, 2] + Array("al".utf8) + [0, 3] + Array("a@b".utf8) + [1, 3] + Array("bob".utf8)
        + Array("Hi".utf8)
    static let report = MailEnvelope.report(
        MailDeliveryReport(
            id: 9, results: [.init(recipient: "bob", code: 550, enhancedStatus: "5.1.1", text: "No such user here")]
        )
    )
    static let reportBytes: [UInt8] =
        [1, 2, 0, 0, 0, 0, 0, 0, 0, 9, 1, 3] + Array("bob".utf8) + [0x02, 0x26, 5] + Array("5.1.1".utf8) + [0, 17]
        + Array("No such user here".utf8)

    @Test func deliveryVector() throws {
        var buffer = ByteBuffer()
        buffer.writeMailEnvelope(Self.delivery)
        #expect(Array(buffer.readableBytesView) == Self.deliveryBytes)
        var input = ByteBuffer(bytes: Self.deliveryBytes)
        #expect(try input.readMailEnvelope() == Self.delivery)
    }

    @Test func reportVector() throws {
        var buffer = ByteBuffer()
        buffer.writeMailEnvelope(Self.report)
        #expect(Array(buffer.readableBytesView) == Self.reportBytes)
        var input = ByteBuffer(bytes: Self.reportBytes)
        #expect(try input.readMailEnvelope() == Self.report)
    }

    @Test func roundTripsAnEmptyBodyAndNullPathAndManyRecipients() throws {
        let envelope = MailEnvelope.delivery(
            MailDelivery(
                id: .max, sender: "ü-user", reversePath: "", recipients: (1...100).map { "user\($0)" }, content: []
            )
        )
        var buffer = ByteBuffer()
        buffer.writeMailEnvelope(envelope)
        #expect(try buffer.readMailEnvelope() == envelope)
    }

    @Test func refusesMalformedEnvelopes() {
        func read(_ bytes: [UInt8]) -> MailEnvelopeError? {
            var buffer = ByteBuffer(bytes: bytes)
            do {
                _ = try buffer.readMailEnvelope()
                return nil
            } catch {
                return error
            }
        }
        #expect(read([]) == .truncated)
        #expect(read([2, 1]) == .unsupportedVersion(2))
        #expect(read([1, 3, 0, 0, 0, 0, 0, 0, 0, 0]) == .unknownKind(3))
        #expect(read(Array(Self.deliveryBytes.prefix(12))) == .truncated)
        // No recipients, or an empty sender.
        #expect(read([1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0x61, 0, 0, 0]) == .invalidField("recipient count 0"))
        #expect(read([1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0]) == .invalidField("sender of 0 bytes"))
        // A control character in a recipient, trailing bytes after a report, a reply code out of range.
        #expect(
            read([1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0x61, 0, 0, 1, 2, 0x62, 0x0A])
                == .invalidField("recipient is not UTF-8 text")
        )
        #expect(read(Self.reportBytes + [0]) == .invalidField("1 trailing bytes"))
        var badCode = Self.reportBytes
        badCode[15] = 0x03
        badCode[16] = 0xE8
        #expect(read(badCode) == .invalidField("reply code 1000"))
    }

    @Test func fuzzNeverTraps() throws {
        var random = SeededGenerator(seed: 0x6D61_696C)
        let seeds = [Self.deliveryBytes, Self.reportBytes]
        var decoded = 0
        var refused = 0
        for round in 0..<100_000 {
            var bytes = seeds[round % 2]
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                switch Int.random(in: 0..<3, using: &random) {
                case 0 where !bytes.isEmpty:
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                case 1 where !bytes.isEmpty:
                    bytes.removeLast(Int.random(in: 1...bytes.count, using: &random))
                default:
                    bytes.append(UInt8.random(in: 0...255, using: &random))
                }
            }
            var buffer = ByteBuffer(bytes: bytes)
            if let envelope = try? buffer.readMailEnvelope() {
                decoded += 1
                var again = ByteBuffer()
                again.writeMailEnvelope(envelope)
                #expect(try again.readMailEnvelope() == envelope)
            } else {
                refused += 1
            }
        }
        print("fuzz MailEnvelope: 100000 inputs, \(decoded) decoded and re-encoded identically, \(refused) refused")
        #expect(decoded + refused == 100_000)
    }
}
