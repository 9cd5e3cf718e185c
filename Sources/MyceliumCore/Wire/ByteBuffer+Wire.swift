import MyceliumCrypto
import NIOCore

extension ByteBuffer {
    /// Runs `body`; if it returns `nil` (not enough bytes yet) or throws, the reader index is put back where it was,
    /// so that the caller can retry once more bytes arrived or report the error with the buffer untouched.
    @inlinable
    public mutating func rewindingReaderOnNil<Result>(
        _ body: (inout ByteBuffer) throws(WireError) -> Result?
    ) throws(WireError) -> Result? {
        let saved = self.readerIndex
        do {
            guard let result = try body(&self) else {
                self.moveReaderIndex(to: saved)
                return nil
            }
            return result
        } catch {
            self.moveReaderIndex(to: saved)
            throw error
        }
    }

    // MARK: - Addresses and ids

    public mutating func readIPv6Address() -> IPv6Address? {
        guard let high = self.readInteger(as: UInt64.self), let low = self.readInteger(as: UInt64.self) else {
            return nil
        }
        return IPv6Address(high: high, low: low)
    }

    @discardableResult
    public mutating func writeIPv6Address(_ address: IPv6Address) -> Int {
        self.writeMultipleIntegers(address.high, address.low)
    }

    public func getIPv6Address(at index: Int) -> IPv6Address? {
        guard let high = self.getInteger(at: index, as: UInt64.self),
            let low = self.getInteger(at: index + 8, as: UInt64.self)
        else { return nil }
        return IPv6Address(high: high, low: low)
    }

    public mutating func readRouterID() -> RouterID? {
        guard let bytes = self.readBytes(length: RouterID.byteCount) else { return nil }
        return RouterID(bytes: bytes)
    }

    @discardableResult
    public mutating func writeRouterID(_ id: RouterID) -> Int {
        self.writeBytes(id.bytes)
    }
}
