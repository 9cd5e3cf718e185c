import NIOCore

/// Hello TLV (type 4, 6 bytes; spec §3.1): `flags u16 | seqno u16 | interval u16 (cs)`.
/// Upstream keeps only the unicast flag and always sets it.
public struct Hello: Hashable, Sendable {
    public static let tlvType: UInt8 = 4
    public static let bodyByteCount = 6
    public static let unicastFlag: UInt16 = 0x8000

    public var flags: UInt16
    /// The per-peer Hello counter.
    public var seqno: SeqNo
    /// Time until the next Hello, in centiseconds (upstream sends 2000).
    public var interval: UInt16

    public init(seqno: SeqNo, interval: UInt16, flags: UInt16 = Hello.unicastFlag) {
        self.flags = flags & Self.unicastFlag
        self.seqno = seqno
        self.interval = interval
    }
}

extension Hello {
    /// Reads a Hello body from a TLV body slice; `nil` if it is shorter than 6 bytes.
    init?(readingFrom buffer: inout ByteBuffer) {
        guard let (flags, seqno, interval) = buffer.readMultipleIntegers(as: (UInt16, UInt16, UInt16).self) else {
            return nil
        }
        self.init(seqno: SeqNo(seqno), interval: interval, flags: flags)
    }
}

extension ByteBuffer {
    mutating func writeHello(_ hello: Hello) -> Int {
        self.writeMultipleIntegers(hello.flags, hello.seqno.rawValue, hello.interval)
    }
}
