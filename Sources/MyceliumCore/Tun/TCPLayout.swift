/// TCP header layout.
enum TCPLayout {
    static let minimumHeaderByteCount = 20
    static let maximumHeaderByteCount = 60
    static let sequenceOffset = 4
    static let acknowledgementOffset = 8
    /// Data offset (high nibble, in 32-bit words) and reserved bits.
    static let dataOffsetOffset = 12
    static let flagsOffset = 13
    static let windowOffset = 14
    static let checksumOffset = 16
    static let urgentPointerOffset = 18

    static let fin: UInt8 = 0x01
    static let syn: UInt8 = 0x02
    static let rst: UInt8 = 0x04
    static let psh: UInt8 = 0x08
    static let ack: UInt8 = 0x10
    static let cwr: UInt8 = 0x80
}
