import NIOCore
import Testing

@testable import MyceliumMailGateway

/// Byte-exact ENVELOPE / BODYSTRUCTURE / BODY against Dovecot's output for the same messages (see `MIMEVectors`).
@Suite struct MIMEMessageTests {
    static func envelope(_ message: MIMEMessage) -> String {
        var buffer = ByteBuffer()
        message.writeEnvelope(into: &buffer)
        return String(buffer: buffer)
    }

    static func structure(_ message: MIMEMessage, extensible: Bool) -> String {
        var buffer = ByteBuffer()
        message.writeBodyStructure(into: &buffer, extensible: extensible)
        return String(buffer: buffer)
    }

    @Test(arguments: MIMEVectors.all.keys.sorted())
    func matchesDovecot(_ name: String) {
        let vector = MIMEVectors.named(name)
        let message = MIMEMessage(vector.bytes)
        #expect(Self.envelope(message) == vector.envelope, "\(name) ENVELOPE")
        #expect(Self.structure(message, extensible: true) == vector.bodyStructure, "\(name) BODYSTRUCTURE")
        if let body = vector.body {
            #expect(Self.structure(message, extensible: false) == body, "\(name) BODY")
        }
    }

    @Test func headerFieldsAreUnfoldedInOrder() {
        let message = MIMEMessage(MIMEVectors.named("folded").bytes)
        #expect(message.headerFields.map(\.name) == ["Received", "Subject", "From", "X-Empty", "to", "SUBJECT"])
        #expect(message.headerFields[0].value == "from a\tby b; Mon, 1 Jan 2024 00:00:00 +0000")
        #expect(message.headerValue("subject") == "a folded  subject line")
        #expect(message.headerValue("x-empty") == "")
        #expect(message.headerValue("TO") == "z@y.test")
        #expect(message.headerValue("cc") == nil)
    }

    @Test func bareLFMessageParses() {
        let message = MIMEMessage(MIMEVectors.named("barelf").bytes)
        #expect(message.headerValue("subject") == "bare LF")
        #expect(message.section(MessageSection(part: [1])).map { Array($0) } == Array("one".utf8))
        #expect(message.section(MessageSection(part: [2])).map { Array($0) } == Array("two".utf8))
        #expect(message.section(MessageSection(part: [3])) == nil)
        #expect(message.section(MessageSection(kind: .headerFields(["subject"]))).map { Array($0) } == Array("Subject: bare LF\r\n\r\n".utf8))
    }

    @Test func messageWithoutSeparatorIsAllHeader() {
        let bytes = MIMEVectors.named("noseparator").bytes
        let message = MIMEMessage(bytes)
        #expect(message.section(MessageSection(kind: .header)).map { Array($0) } == bytes)
        #expect(message.section(MessageSection(kind: .text)).map { Array($0) } == [])
        #expect(message.section(MessageSection(part: [1])).map { Array($0) } == [])
        #expect(message.section(MessageSection(part: [1], kind: .mime)).map { Array($0) } == bytes)
        #expect(message.headerValue("subject") == "no body")
    }

    @Test func sentDateParsesRFC5322Dates() {
        #expect(MIMEMessage(MIMEVectors.named("simple").bytes).sentDate == 760_686_745)
        #expect(MIMEMessage(MIMEVectors.named("alternative").bytes).sentDate == 1_704_186_000)
        #expect(MIMEMessage(Array("Date: 5 Jan 24 23:59 GMT\r\n\r\n".utf8)).sentDate == 1_704_499_140)
        #expect(MIMEMessage(Array("Date: yesterday\r\n\r\n".utf8)).sentDate == nil)
        #expect(MIMEMessage(Array("Subject: x\r\n\r\n".utf8)).sentDate == nil)
    }

    @Test func deepNestingIsBounded() {
        var text = ""
        for level in 0..<60 { text += "Content-Type: multipart/mixed; boundary=b\(level)\r\n\r\n--b\(level)\r\n" }
        text += "\r\nleaf\r\n"
        let message = MIMEMessage(Array(text.utf8))
        let structure = Self.structure(message, extensible: true)
        #expect(structure.contains("\"application\" \"octet-stream\""))
        #expect(structure.filter { $0 == "(" }.count == structure.filter { $0 == ")" }.count)
        let tree = MIMETree(bytes: message.bytes, topHeader: message.header)
        #expect(tree.parts.map(\.depth).max() == MIMETree.maxDepth)
    }

    @Test func partCountIsBounded() {
        var text = "Content-Type: multipart/mixed; boundary=x\r\n\r\n"
        for index in 0..<3_000 { text += "--x\r\n\r\npart \(index)\r\n" }
        text += "--x--\r\n"
        let message = MIMEMessage(Array(text.utf8))
        let tree = MIMETree(bytes: message.bytes, topHeader: message.header)
        #expect(tree.parts.count == MIMETree.maxParts)
        #expect(message.section(MessageSection(part: [1])).map { Array($0) } == Array("part 0".utf8))
        #expect(message.section(MessageSection(part: [1_000])) == nil)
    }
}
