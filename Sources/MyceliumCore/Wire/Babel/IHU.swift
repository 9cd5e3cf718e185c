import NIOCore

/// IHU ("I Heard You") TLV (type 5; spec §3.1): `AE | reserved | rx cost u16 | interval u16 (cs) | address`.
/// Upstream sends AE 0 and ignores the contents of a received IHU: only its arrival time counts.
public struct IHU: Hashable, Sendable {
    public static let tlvType: UInt8 = 5
    public static let baseByteCount = 6

    /// The address an IHU may name.
    public enum Address: Hashable, Sendable {
        case ipv4(UInt32)
        /// Also what a link-local (AE 3) address decodes to: `fe80::` plus its 8 bytes.
        case ipv6(IPv6Address)
    }

    public var rxCost: Metric
    /// Centiseconds; upstream sends 6000 and the value must not be 0.
    public var interval: UInt16
    public var address: Address?

    public init(rxCost: Metric, interval: UInt16, address: Address? = nil) {
        self.rxCost = rxCost
        self.interval = interval
        self.address = address
    }

    var bodyByteCount: Int {
        switch self.address {
        case nil: Self.baseByteCount
        case .ipv4: Self.baseByteCount + 4
        case .ipv6: Self.baseByteCount + 16
        }
    }
}

extension ByteBuffer {
    /// Reads an IHU body from a TLV body slice.
    mutating func readIHU() throws(ControlPacketDecodingFailure) -> IHU {
        let length = self.readableBytes
        let malformed = ControlPacketDecodingFailure.malformed(.invalidTLVLength(type: IHU.tlvType, length: length))
        guard let (ae, _, rxCost, interval) = self.readMultipleIntegers(as: (UInt8, UInt8, UInt16, UInt16).self)
        else { throw malformed }
        let address: IHU.Address?
        switch AddressEncoding(rawValue: ae) {
        case .wildcard:
            address = nil
        case .ipv4:
            guard let v4 = self.readInteger(as: UInt32.self) else { throw malformed }
            address = .ipv4(v4)
        case .ipv6:
            guard let v6 = self.readIPv6Address() else { throw malformed }
            address = .ipv6(v6)
        case .linkLocalIPv6:
            guard let low = self.readInteger(as: UInt64.self) else { throw malformed }
            address = .ipv6(IPv6Address(high: Subnet.linkLocal.address.high, low: low))
        case nil:
            throw .dropped(.unknownAddressEncoding(ae))
        }
        return IHU(rxCost: Metric(rxCost), interval: interval, address: address)
    }

    mutating func writeIHU(_ ihu: IHU) -> Int {
        let encoding: AddressEncoding =
            switch ihu.address {
            case nil: .wildcard
            case .ipv4: .ipv4
            case .ipv6: .ipv6
            }
        var written = self.writeMultipleIntegers(encoding.rawValue, UInt8(0), ihu.rxCost.rawValue, ihu.interval)
        switch ihu.address {
        case nil: break
        case .ipv4(let v4): written += self.writeInteger(v4)
        case .ipv6(let v6): written += self.writeIPv6Address(v6)
        }
        return written
    }
}
