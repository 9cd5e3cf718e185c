import NIOCore
import Testing

@testable import MyceliumMailGateway

@Suite("IMAPFramer")
struct IMAPFramerTests {
    func frames(_ text: [UInt8], limit: Int = 1 << 20, drip: Bool = false) -> [IMAPFramer.Frame] {
        var framer = IMAPFramer(maximumAppendLiteralSize: limit)
        var result: [IMAPFramer.Frame] = []
        if drip {
            for byte in text {
                framer.append(ByteBuffer(bytes: [byte]))
                while let frame = framer.next() { result.append(frame) }
            }
        } else {
            framer.append(ByteBuffer(bytes: text))
            while let frame = framer.next() { result.append(frame) }
        }
        return result
    }

    @Test func synchronisingLiteralAsksForContinuation() {
        let text = Array("a APPEND INBOX {5}\r\nhello\r\nb NOOP\r\n".utf8)
        let result = self.frames(text)
        #expect(
            result == [
                .continuationRequest, .command(ByteBuffer(string: "a APPEND INBOX {5}\r\nhello\r\n")),
                .command(ByteBuffer(string: "b NOOP\r\n")),
            ]
        )
        #expect(self.frames(text, drip: true) == result)
    }

    @Test func literalPlusNeedsNoContinuation() {
        let text = Array("a APPEND INBOX {5+}\r\nhe\r\no\r\n".utf8)
        #expect(self.frames(text) == [.command(ByteBuffer(string: "a APPEND INBOX {5+}\r\nhe\r\no\r\n"))])
        #expect(self.frames(text, drip: true) == self.frames(text))
    }

    @Test func hugeAppendLiteralIsRefusedWithoutContinuation() {
        let result = self.frames(Array("a APPEND INBOX {4294967296}\r\nb NOOP\r\n".utf8), limit: 1000)
        #expect(
            result == [
                .error(.literalTooLarge(tag: "a", isAppend: true, nonSynchronizing: false)),
                .command(ByteBuffer(string: "b NOOP\r\n")),
            ]
        )
        let plus = self.frames(Array("a APPEND INBOX {1001+}\r\n".utf8), limit: 1000)
        #expect(plus == [.error(.literalTooLarge(tag: "a", isAppend: true, nonSynchronizing: true))])
        if case .error(let error) = plus.first { #expect(error.closesConnection) }
        // Other commands have a small literal limit.
        #expect(
            self.frames(Array("c LOGIN {100000}\r\n".utf8))
                == [.error(.literalTooLarge(tag: "c", isAppend: false, nonSynchronizing: false))]
        )
        #expect(
            self.frames(Array("c LOGIN ~{5}\r\n".utf8))
                == [.error(.literal8NotSupported(tag: "c", nonSynchronizing: false))]
        )
    }

    @Test func longLineIsSkipped() {
        var text = Array("a NOOP ".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: IMAPFramer.maximumLineLength)
        text += Array("\r\nb NOOP\r\n".utf8)
        let expected: [IMAPFramer.Frame] = [.error(.lineTooLong(tag: "a")), .command(ByteBuffer(string: "b NOOP\r\n"))]
        #expect(self.frames(text) == expected)
        #expect(self.frames(text, drip: true) == expected)
    }

    @Test func rawLines() throws {
        var framer = IMAPFramer(maximumAppendLiteralSize: 100)
        framer.append(ByteBuffer(string: "DON"))
        #expect(try framer.nextLine() == nil)
        framer.append(ByteBuffer(string: "E\r\nx NOOP\r\n"))
        #expect(try framer.nextLine() == ByteBuffer(string: "DONE"))
        #expect(framer.next() == .command(ByteBuffer(string: "x NOOP\r\n")))
    }

    @Test func dripFeedEqualsOneShotForEveryVector() throws {
        let vectors = [
            "a1 LOGIN {4}\r\ntest {4}\r\ntest\r\n",
            "a2 UID FETCH 1:* (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To)])\r\n",
            "a3 APPEND Sent (\\Seen) {12+}\r\nSubject: x\r\n\r\n",
            "a4 SEARCH CHARSET UTF-8 OR FROM {3}\r\nbob SUBJECT \"hi \\\"there\\\"\"\r\n",
            "a5 LIST (SUBSCRIBED) \"\" \"*\" RETURN (SPECIAL-USE STATUS (MESSAGES))\r\n",
        ]
        for vector in vectors {
            let bytes = Array(vector.utf8)
            let oneShot = self.frames(bytes)
            #expect(self.frames(bytes, drip: true) == oneShot)
            let commands = oneShot.compactMap { frame -> IMAPCommand? in
                if case .command(let buffer) = frame { return try? IMAPParser.parseCommand(buffer) }
                return nil
            }
            #expect(commands.count == 1, "\(vector)")
        }
    }

    @Test func fuzz() {
        let seeds = [
            "a1 LOGIN {4}\r\ntest {4+}\r\ntest\r\n",
            "a2 UID FETCH 1:*,5:3 (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To)]<0.100>)\r\n",
            "a3 APPEND Sent (\\Seen $x) \"17-Jul-1996 02:44:25 -0700\" {12+}\r\nSubject: x\r\n\r\n",
            "a4 SEARCH CHARSET UTF-8 OR NOT FROM {3}\r\nbob (SUBJECT \"hi \\\"there\\\"\" SINCE 1-Feb-1994)\r\n",
            "a5 LIST (SUBSCRIBED) \"\" (\"*\" %) RETURN (SPECIAL-USE CHILDREN STATUS (MESSAGES SIZE))\r\n",
            "a6 UID STORE 1:4 +FLAGS.SILENT (\\Deleted)\r\na7 ID (\"name\" NIL)\r\na8 UID MOVE 1 Trash\r\n",
        ]
        var generator = SplitMix(seed: 0x1BAD_5EED)
        var parsed = 0
        var refused = 0
        let iterations = 100_000
        for iteration in 0..<iterations {
            var bytes = Array(seeds[iteration % seeds.count].utf8)
            for _ in 0..<(1 + Int(generator.next() % 4)) {
                let position = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 4 {
                case 0: bytes[position] = UInt8(truncatingIfNeeded: generator.next())
                case 1: bytes.remove(at: position)
                case 2: bytes.insert(UInt8(truncatingIfNeeded: generator.next()), at: position)
                default: bytes.insert(contentsOf: Array("{9}\r\n".utf8), at: position)
                }
                if bytes.isEmpty { bytes = [10] }
            }
            var framer = IMAPFramer(maximumAppendLiteralSize: 1 << 16)
            framer.append(ByteBuffer(bytes: bytes))
            while let frame = framer.next() {
                if case .command(let buffer) = frame {
                    if (try? IMAPParser.parseCommand(buffer)) != nil { parsed += 1 } else { refused += 1 }
                }
            }
        }
        print("fuzz IMAPParser: \(iterations) mutated inputs, \(parsed) parsed, \(refused) refused, no crash")
        #expect(parsed > 0 && refused > 0)
    }
}

/// A small deterministic generator for fuzzing.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { self.state = seed }
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
