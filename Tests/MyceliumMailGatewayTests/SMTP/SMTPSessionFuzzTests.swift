import MyceliumTesting
import Testing

@testable import MyceliumMailGateway

@Suite struct SMTPSessionFuzzTests {
    static let corpus = [
        "EHLO client.test", "HELO x", "AUTH PLAIN AHRlc3QAdGVzdA==", "AUTH PLAIN", "AHRlc3QAdGVzdA==", "AUTH LOGIN",
        "dGVzdA==", "*", "=", "MAIL FROM:<a@b.c> SIZE=100 BODY=8BITMIME", "MAIL FROM:<>", "RCPT TO:<x@y.z>",
        "RCPT TO:<\"q u\"@[IPv6:400::1]>", "RCPT TO:<@r.s:x@[1.2.3.4]>", "DATA", ".", "..x", "content", "RSET",
        "NOOP", "VRFY x", "HELP", "QUIT", "STARTTLS", "MAIL FROM:<a@b.c> AUTH=<>",
    ]

    /// Checks that `output` is a sequence of well-formed replies: `code [ -] text CRLF`, printable ASCII, and every
    /// multi-line reply keeps its code and ends with a `code SP` line.
    static func isWellFormed(_ output: [UInt8]) -> Bool {
        var lines = output.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        guard lines.last?.isEmpty == true else { return false }
        lines.removeLast()
        var openCode: ArraySlice<UInt8>?
        for line in lines {
            guard line.count >= 5, line.last == UInt8(ascii: "\r") else { return false }
            let code = line.prefix(3)
            guard code.allSatisfy({ (0x30...0x39).contains($0) }), let first = code.first,
                (UInt8(ascii: "2")...UInt8(ascii: "5")).contains(first)
            else { return false }
            let separator = line[line.startIndex + 3]
            guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else { return false }
            guard line.dropLast().allSatisfy({ (0x20...0x7E).contains($0) }) else { return false }
            if let openCode, openCode != code { return false }
            openCode = separator == UInt8(ascii: "-") ? code : nil
        }
        return openCode == nil
    }

    @Test func randomAndMutatedLinesNeverBreakTheReplies() {
        var generator = SeededGenerator(seed: 0x5347_5450)
        var harness = SMTPSessionHarness()
        var output = Array(harness.start().utf8)
        var sessions = 1
        var malformed = 0
        for iteration in 0..<100_000 {
            var line = Array(Self.corpus[Int.random(in: 0..<Self.corpus.count, using: &generator)].utf8)
            switch Int.random(in: 0..<8, using: &generator) {
            case 0:
                line = generator.bytes(Int.random(in: 0..<80, using: &generator))
            case 1 where !line.isEmpty:
                line[Int.random(in: 0..<line.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            case 2:
                line.insert(
                    UInt8.random(in: 0...255, using: &generator), at: Int.random(in: 0...line.count, using: &generator))
            case 3 where !line.isEmpty:
                line.removeSubrange(Int.random(in: 0..<line.count, using: &generator)...)
            case 4 where iteration % 50 == 0:
                line += Array(repeating: UInt8(ascii: "A"), count: Int.random(in: 4000..<9000, using: &generator))
            default:
                break
            }
            let terminator: [UInt8] = Bool.random(using: &generator) ? [13, 10] : [10]
            let replies = Array(harness.feed(bytes: line + terminator).utf8)
            if !Self.isWellFormed(replies) { malformed += 1 }
            output += replies
            if harness.isClosed {
                harness = SMTPSessionHarness()
                if Bool.random(using: &generator) { harness.login() } else { output += Array(harness.start().utf8) }
                sessions += 1
            }
        }
        #expect(malformed == 0)
        #expect(Self.isWellFormed(output))
        #expect(sessions > 1)
    }

    @Test func theWellFormednessCheckCanFail() {
        #expect(!Self.isWellFormed(Array("250-a\r\n".utf8)))
        #expect(!Self.isWellFormed(Array("250-a\r\n251 b\r\n".utf8)))
        #expect(!Self.isWellFormed(Array("25 a\r\n".utf8)))
        #expect(!Self.isWellFormed(Array("250 a\n".utf8)))
        #expect(Self.isWellFormed(Array("250-a\r\n250 b\r\n".utf8)))
    }
}
