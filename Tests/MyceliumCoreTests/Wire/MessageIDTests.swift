import Foundation
import MyceliumCore
import MyceliumTesting
import NIOCore
import Testing

@Suite("Message ids (§5.1)")
struct MessageIDTests {
    @Test("the 8 wire bytes, the integer and the 16-character hex form agree")
    func forms() throws {
        let id = MessageID(rawValue: 0x0123_4567_89AB_CDEF)
        #expect(id.bytes == [0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF])
        #expect(id.hexString == "0123456789abcdef")
        #expect("\(id)" == "0123456789abcdef")
        #expect(MessageID(hexString: "0123456789ABCDEF") == id)
        #expect(MessageID(bytes: [0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF]) == id)

        var buffer = ByteBuffer()
        #expect(buffer.writeMessageID(id) == 8)
        #expect(Array(buffer.readableBytesView) == [0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF])
        #expect(buffer.readMessageID() == id)
        #expect(buffer.readMessageID() == nil)
    }

    @Test(
        "hex text must be exactly 16 hex characters",
        arguments: ["", "0123456789abcde", "0123456789abcdef0", "0123456789abcdeg", "0123456789abcde "]
    )
    func invalidHex(text: String) {
        #expect(MessageID(hexString: text) == nil)
    }

    @Test("other byte counts are refused")
    func invalidBytes() {
        #expect(MessageID(bytes: [UInt8](repeating: 0, count: 7)) == nil)
        #expect(MessageID(bytes: [UInt8](repeating: 0, count: 9)) == nil)
    }

    @Test("JSON carries the hex form, as upstream's serde does")
    func json() throws {
        let id = MessageID(rawValue: 0xFEDC_BA98_7654_3210)
        let data = try JSONEncoder().encode([id])
        #expect(String(decoding: data, as: UTF8.self) == #"["fedcba9876543210"]"#)
        #expect(try JSONDecoder().decode([MessageID].self, from: data) == [id])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([MessageID].self, from: Data(#"["fedcba98"]"#.utf8))
        }
    }

    @Test("random ids differ")
    func random() {
        var generator = SeededGenerator(seed: 8)
        #expect(MessageID(using: &generator) != MessageID(using: &generator))
    }
}
