import NIOCore

extension ByteBuffer {
    /// Writes an IPv6 header (version 6, next header 58) and the ICMPv6 message `type | code | checksum | rest | body`,
    /// with the checksum over the pseudo-header and the message (RFC 4443 §2.3). Shared by the ICMPv6 errors the node
    /// writes to its host and the out-of-band reports it sends through the overlay.
    @discardableResult
    mutating func writeICMPv6Packet(
        type: UInt8,
        code: UInt8,
        restOfHeader: UInt32,
        source: IPv6Address,
        destination: IPv6Address,
        hopLimit: UInt8,
        body: some Collection<UInt8>
    ) -> Int {
        var written = self.writeMultipleIntegers(
            UInt32(6) << 28, UInt16(8 + body.count), ICMPv6Checksum.nextHeader, hopLimit
        )
        written += self.writeIPv6Address(source)
        written += self.writeIPv6Address(destination)
        let header: [UInt8] = [
            type, code, 0, 0,
            UInt8(truncatingIfNeeded: restOfHeader >> 24), UInt8(truncatingIfNeeded: restOfHeader >> 16),
            UInt8(truncatingIfNeeded: restOfHeader >> 8), UInt8(truncatingIfNeeded: restOfHeader),
        ]
        let checksum = ICMPv6Checksum.compute(source: source, destination: destination, message: header + body)
        written += self.writeMultipleIntegers(type, code, checksum, restOfHeader)
        written += self.writeBytes(body)
        return written
    }
}
