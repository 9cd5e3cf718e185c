import NIOCore

extension ByteBuffer {
    /// Reads a virtio-net header: `nil` (reader index unchanged) when fewer than 10 bytes are readable; throws
    /// `unknownGSOType` (reader index unchanged) for a GSO type Linux does not define.
    public mutating func readVirtioNetHeader() throws(TunOffloadError) -> VirtioNetHeader? {
        let start = self.readerIndex
        guard self.readableBytes >= VirtioNetHeader.byteCount,
            let flags = self.getInteger(at: start, as: UInt8.self),
            let gsoType = self.getInteger(at: start + 1, as: UInt8.self),
            let headerLength = self.getInteger(at: start + 2, endianness: .little, as: UInt16.self),
            let gsoSize = self.getInteger(at: start + 4, endianness: .little, as: UInt16.self),
            let checksumStart = self.getInteger(at: start + 6, endianness: .little, as: UInt16.self),
            let checksumOffset = self.getInteger(at: start + 8, endianness: .little, as: UInt16.self)
        else { return nil }
        let header = try VirtioNetHeader(
            flagsByte: flags,
            gsoTypeByte: gsoType,
            headerLength: headerLength,
            gsoSize: gsoSize,
            checksumStart: checksumStart,
            checksumOffset: checksumOffset
        )
        self.moveReaderIndex(forwardBy: VirtioNetHeader.byteCount)
        return header
    }

    /// Writes the 10 bytes of `header` and returns 10.
    @discardableResult
    public mutating func writeVirtioNetHeader(_ header: VirtioNetHeader) -> Int {
        self.writeMultipleIntegers(
            header.flags.rawValue,
            header.gsoTypeByte,
            header.headerLength,
            header.gsoSize,
            header.checksumStart,
            header.checksumOffset,
            endianness: .little
        )
    }
}
