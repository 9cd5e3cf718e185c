extension UnsafeRawBufferPointer {
    /// The big-endian `UInt16` at `offset` (the caller checked the bounds).
    @inline(__always)
    func bigEndianUInt16(at offset: Int) -> UInt16 {
        UInt16(bigEndian: self.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    /// The big-endian `UInt32` at `offset` (the caller checked the bounds).
    @inline(__always)
    func bigEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(bigEndian: self.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// Whether `count` bytes at `offset` equal `count` bytes at `otherOffset` of `other` (bounds checked by the caller).
    func bytesEqual(at offset: Int, _ other: UnsafeRawBufferPointer, at otherOffset: Int, count: Int) -> Bool {
        var index = 0
        while count - index >= 8 {
            if self.loadUnaligned(fromByteOffset: offset + index, as: UInt64.self)
                != other.loadUnaligned(fromByteOffset: otherOffset + index, as: UInt64.self)
            {
                return false
            }
            index += 8
        }
        while index < count {
            if self[offset + index] != other[otherOffset + index] { return false }
            index += 1
        }
        return true
    }
}

extension UnsafeMutableRawBufferPointer {
    /// Stores `value` big-endian at `offset` (the caller checked the bounds).
    @inline(__always)
    func storeBigEndian(_ value: UInt16, at offset: Int) {
        self.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt16.self)
    }

    /// Stores `value` big-endian at `offset` (the caller checked the bounds).
    @inline(__always)
    func storeBigEndian(_ value: UInt32, at offset: Int) {
        self.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt32.self)
    }
}
