import NIOCore
import Testing

@testable import MyceliumMailGateway

@Suite struct SMTPLineTests {
    private func frames(_ bytes: [UInt8], maximumLength: Int) -> (lines: [SMTPLine], leftover: Int) {
        var buffer = ByteBuffer(bytes: bytes)
        var lines: [SMTPLine] = []
        while let line = buffer.readSMTPLine(maximumLength: maximumLength) { lines.append(line) }
        return (lines, buffer.readableBytes)
    }

    @Test func framesCRLFAndBareLFLines() {
        let result = self.frames(Array("EHLO a\r\nNOOP\n\r\nbare\rcr\r\npartial".utf8), maximumLength: 100)
        #expect(
            result.lines == [
                .complete(Array("EHLO a".utf8)), .complete(Array("NOOP".utf8)), .complete([]),
                .complete(Array("bare\rcr".utf8)),
            ])
        #expect(result.leftover == 7)
    }

    @Test func needsMoreBytesWithoutMovingTheReaderIndex() {
        var buffer = ByteBuffer(string: "NOOP\r")
        #expect(buffer.readSMTPLine(maximumLength: 100) == nil)
        #expect(buffer.readerIndex == 0)
        buffer.writeString("\n")
        #expect(buffer.readSMTPLine(maximumLength: 100) == .complete(Array("NOOP".utf8)))
        #expect(buffer.readableBytes == 0)
    }

    @Test func splitsLongLinesIntoPartsThatNeverEndInCR() {
        let result = self.frames(Array("abcdefghij\r\n".utf8), maximumLength: 4)
        #expect(
            result.lines == [.part(Array("abcd".utf8)), .part(Array("efgh".utf8)), .complete(Array("ij".utf8))])
        let crAtEdge = self.frames(Array("abc\rdefghij\r\n".utf8), maximumLength: 4)
        #expect(crAtEdge.lines.first == .part(Array("abc".utf8)))
        let joined = crAtEdge.lines.flatMap { line -> [UInt8] in
            switch line {
            case .part(let bytes), .complete(let bytes): bytes
            }
        }
        #expect(joined == Array("abc\rdefghij".utf8))
        // A line of exactly the limit plus CRLF is one line.
        #expect(self.frames(Array("abcd\r\n".utf8), maximumLength: 4).lines == [.complete(Array("abcd".utf8))])
    }

    @Test func byteAtATimeGivesTheSameFrames() {
        let input = Array("MAIL FROM:<a@b>\r\n\nlong line over the limit\r\n.\r\nx\r".utf8)
        let whole = self.frames(input, maximumLength: 8)
        var buffer = ByteBuffer()
        var lines: [SMTPLine] = []
        for byte in input {
            buffer.writeInteger(byte)
            while let line = buffer.readSMTPLine(maximumLength: 8) { lines.append(line) }
        }
        #expect(lines == whole.lines)
        #expect(buffer.readableBytes == whole.leftover)
    }

    @Test func repliesAreWellFormedAndSanitised() {
        #expect(SMTPReply(code: 250, "2.0.0", "OK").wireText == "250 2.0.0 OK\r\n")
        #expect(SMTPReply(code: 334, nil, "").wireText == "334 \r\n")
        #expect(SMTPReply(code: 550, "5.1.1", "bad\r\nINJECTED").wireText == "550 5.1.1 bad??INJECTED\r\n")
        #expect(
            SMTPReply(code: 250, enhancedStatus: nil, lines: ["a", "b"]).wireText == "250-a\r\n250 b\r\n")
        #expect(SMTPReply(code: 42, nil, "x").wireText == "451 x\r\n")
    }
}
