import NIOCore
import Testing

@testable import MyceliumMailGateway

/// 100,000 messages mutated from the vectors: no crash, every ENVELOPE / BODY / BODYSTRUCTURE is well-formed IMAP
/// with balanced parentheses, every section lies within the message (or is a built HEADER.FIELDS result).
@Suite struct MIMEFuzzTests {
    static let iterations = 10_000

    /// SplitMix64: deterministic, so a failure can be replayed from the printed seed.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            self.state &+= 0x9E37_79B9_7F4A_7C15
            var z = self.state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(self.next() % UInt64(bound)) }
    }

    static let fragments: [[UInt8]] = [
        "\r\n", "\n", "\r\n\r\n", "--", "--b1", "--b1--", "--outer-boundary\r\n", "--inner--\r\n", ":", ";", "\"", "(",
        ")", "<", ">", "@", ",", "=?utf-8?q?", "?=", "=?", "\r\n ", "Content-Type: multipart/mixed; boundary=b1\r\n",
        "Content-Type: message/rfc822\r\n\r\n", "Content-Type: multipart/digest; boundary=x\r\n\r\n--x\r\n",
        "filename*0*=utf-8''%41;", "\\", "\0", "\u{FF}",
    ].map { Array($0.utf8) }

    static func mutate(_ input: [UInt8], _ random: inout Random) -> [UInt8] {
        var bytes = input
        for _ in 0..<(1 + random.below(4)) {
            switch random.below(6) {
            case 0 where !bytes.isEmpty:
                bytes[random.below(bytes.count)] = UInt8(truncatingIfNeeded: random.next())
            case 1:
                let fragment = fragments[random.below(fragments.count)]
                bytes.insert(contentsOf: fragment, at: random.below(bytes.count + 1))
            case 2 where !bytes.isEmpty:
                let start = random.below(bytes.count)
                bytes.removeSubrange(start..<min(bytes.count, start + 1 + random.below(40)))
            case 3 where !bytes.isEmpty:
                let start = random.below(bytes.count)
                let chunk = Array(bytes[start..<min(bytes.count, start + 1 + random.below(200))])
                bytes.insert(contentsOf: chunk, at: random.below(bytes.count + 1))
            case 4:
                bytes.removeSubrange(random.below(bytes.count + 1)...)
            default:
                let position = random.below(bytes.count + 1)
                bytes.insert(contentsOf: [13, 10], at: position)
            }
        }
        return bytes
    }

    /// Parentheses balance outside quoted strings and literals, and the text is one parenthesized item.
    static func isBalanced(_ buffer: ByteBuffer) -> Bool {
        let bytes = Array(buffer.readableBytesView)
        var depth = 0
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                guard index < bytes.count else { return false }
            case UInt8(ascii: "{"):
                var count = 0
                index += 1
                while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                    count = count * 10 + Int(bytes[index] - 48)
                    index += 1
                }
                guard index + 2 < bytes.count + 1, bytes[index] == UInt8(ascii: "}") else { return false }
                index += 2 + count
                guard index < bytes.count else { return false }
            case UInt8(ascii: "("):
                depth += 1
            case UInt8(ascii: ")"):
                depth -= 1
                if depth < 0 { return false }
                if depth == 0, index != bytes.count - 1 { return false }
            default:
                break
            }
            index += 1
        }
        return depth == 0 && bytes.first == UInt8(ascii: "(")
    }

    @Test func mutatedMessagesNeverBreakTheOutput() {
        let seeds = MIMEVectors.all.keys.sorted().map { MIMEVectors.named($0).bytes }
        var random = Random(state: 0x6D69_6D65)
        let kinds: [MessageSection.Kind] = [
            .full, .header, .text, .mime, .headerFields(["subject", "content-type"]), .headerFieldsNot(["from"]),
        ]
        var failures = 0
        var sections = 0
        var found = 0
        var largest = 0
        let clock = ContinuousClock()
        let start = clock.now
        for iteration in 0..<Self.iterations {
            let message = MIMEMessage(Self.mutate(seeds[iteration % seeds.count], &random))
            largest = max(largest, message.bytes.count)
            var envelope = ByteBuffer()
            message.writeEnvelope(into: &envelope)
            var body = ByteBuffer()
            message.writeBodyStructure(into: &body, extensible: iteration % 2 == 0)
            if !Self.isBalanced(envelope) || !Self.isBalanced(body) {
                failures += 1
                if failures <= 3 {
                    Issue.record("iteration \(iteration): unbalanced \(String(buffer: envelope)) \(String(buffer: body))")
                }
            }
            var path: [Int] = []
            for _ in 0..<random.below(4) { path.append(random.below(5)) }
            let kind = kinds[random.below(kinds.count)]
            sections += 1
            if let slice = message.section(MessageSection(part: path, kind: kind)) {
                found += 1
                switch kind {
                case .headerFields, .headerFieldsNot:
                    #expect(slice.count <= 2 * message.bytes.count + 2)
                default:
                    #expect(slice.startIndex >= 0 && slice.endIndex <= message.bytes.count && slice.startIndex <= slice.endIndex)
                }
            }
            if iteration % 10 == 0 {
                _ = message.searchableText
                _ = message.sentDate
                _ = message.decodedHeaderValues("subject")
                _ = message.headerFields
            }
        }
        #expect(failures == 0)
        let elapsed = clock.now - start
        print(
            "fuzz MIMEMessage: \(Self.iterations) mutated messages (largest \(largest) bytes), \(failures) unbalanced, "
                + "\(found)/\(sections) sections present, all in bounds, \(elapsed)"
        )
    }
}
