import NIOCore

/// A control packet (spec §3.1): a Babel-style header and exactly one TLV.
///
/// ```
/// 2A | 03 | body length u16 (= TLV length + 2) | TLV type | TLV length | TLV body
/// ```
public enum ControlPacket: Hashable, Sendable {
    case hello(Hello)
    case ihu(IHU)
    case update(Update)
    case routeRequest(RouteRequest)
    case seqnoRequest(SeqnoRequest)
    /// A well-framed packet that upstream skips without closing the link (see `UnrecognizedControlPacket`).
    /// Kept byte for byte so that it can be counted, logged and re-encoded; never originated by this node.
    case unrecognized(UnrecognizedControlPacket)
}

/// Constants of the Babel packet header.
public enum BabelHeader {
    public static let byteCount = 4
    public static let magic: UInt8 = 42
    /// Mycelium's Babel version (v0.7.x), not RFC 8966's 2.
    public static let version: UInt8 = 3
}

/// A control packet that is well framed but carries nothing this node acts on. Upstream drops these silently and
/// keeps the link (spec §3.1): a foreign magic or version, an unknown TLV type, an unknown address encoding, a prefix
/// length its encoding does not allow, or a Seqno Request with hop count 0.
public struct UnrecognizedControlPacket: Hashable, Sendable {
    public enum Reason: Hashable, Sendable {
        case foreignHeader
        case unknownTLVType(UInt8)
        case unknownAddressEncoding(UInt8)
        case invalidPrefixLength(addressEncoding: UInt8, prefixLength: UInt8)
        case zeroHopCount
    }

    public var magic: UInt8
    public var version: UInt8
    /// The packet's body, TLV header included.
    public var body: ByteBuffer
    public var reason: Reason
}

/// How decoding one TLV body can fail: malformed (the link is broken) or dropped (upstream ignores the TLV).
enum ControlPacketDecodingFailure: Error {
    case malformed(WireError)
    case dropped(PrefixDecodingFailure)
    case zeroHopCount
}

extension ByteBuffer {
    /// Reads a control packet (after the link header); `nil` until the whole Babel body is buffered.
    ///
    /// The body is consumed exactly as its header announces, so bytes after the first TLV never desynchronise the
    /// stream (upstream's decoder trusts the TLV length instead and can lose sync there).
    public mutating func readControlPacket() throws(WireError) -> ControlPacket? {
        try self.rewindingReaderOnNil { (buffer) throws(WireError) -> ControlPacket? in
            guard let (magic, version, bodyLength) = buffer.readMultipleIntegers(as: (UInt8, UInt8, UInt16).self),
                var body = buffer.readSlice(length: Int(bodyLength))
            else { return nil }
            let whole = body
            func unrecognized(_ reason: UnrecognizedControlPacket.Reason) -> ControlPacket {
                .unrecognized(UnrecognizedControlPacket(magic: magic, version: version, body: whole, reason: reason))
            }
            guard magic == BabelHeader.magic, version == BabelHeader.version else {
                return unrecognized(.foreignHeader)
            }
            guard let (type, tlvLength) = body.readMultipleIntegers(as: (UInt8, UInt8).self) else {
                throw .invalidTLVLength(type: 0, length: Int(bodyLength))
            }
            guard var tlv = body.readSlice(length: Int(tlvLength)) else {
                throw .invalidTLVLength(type: type, length: Int(tlvLength))
            }
            do throws(ControlPacketDecodingFailure) {
                switch type {
                case Hello.tlvType:
                    guard let hello = Hello(readingFrom: &tlv) else {
                        throw .malformed(.invalidTLVLength(type: type, length: Int(tlvLength)))
                    }
                    return .hello(hello)
                case IHU.tlvType: return .ihu(try tlv.readIHU())
                case Update.tlvType: return .update(try tlv.readUpdate())
                case RouteRequest.tlvType: return .routeRequest(try tlv.readRouteRequest())
                case SeqnoRequest.tlvType: return .seqnoRequest(try tlv.readSeqnoRequest())
                default: return unrecognized(.unknownTLVType(type))
                }
            } catch {
                switch error {
                case .malformed(let wireError): throw wireError
                case .dropped(.unknownAddressEncoding(let ae)): return unrecognized(.unknownAddressEncoding(ae))
                case .dropped(.invalidPrefixLength(let ae, let plen)):
                    return unrecognized(.invalidPrefixLength(addressEncoding: ae.rawValue, prefixLength: plen))
                case .zeroHopCount: return unrecognized(.zeroHopCount)
                }
            }
        }
    }

    /// Writes a control packet: header, TLV header, TLV body.
    @discardableResult
    public mutating func writeControlPacket(_ packet: ControlPacket) throws(WireError) -> Int {
        let (type, length): (UInt8, Int)
        switch packet {
        case .hello: (type, length) = (Hello.tlvType, Hello.bodyByteCount)
        case .ihu(let ihu): (type, length) = (IHU.tlvType, ihu.bodyByteCount)
        case .update(let update): (type, length) = (Update.tlvType, update.bodyByteCount)
        case .routeRequest(let request): (type, length) = (RouteRequest.tlvType, request.bodyByteCount)
        case .seqnoRequest(let request): (type, length) = (SeqnoRequest.tlvType, request.bodyByteCount)
        case .unrecognized(let packet):
            var body = packet.body
            guard body.readableBytes <= Int(UInt16.max) else {
                throw .lengthExceedsLimit(field: .babelBodyLength, length: body.readableBytes, limit: Int(UInt16.max))
            }
            return self.writeMultipleIntegers(packet.magic, packet.version, UInt16(body.readableBytes))
                + self.writeBuffer(&body)
        }
        var written = self.writeMultipleIntegers(
            BabelHeader.magic, BabelHeader.version, UInt16(length + 2), type, UInt8(length)
        )
        switch packet {
        case .hello(let hello): written += self.writeHello(hello)
        case .ihu(let ihu): written += self.writeIHU(ihu)
        case .update(let update): written += self.writeUpdate(update)
        case .routeRequest(let request): written += self.writeRouteRequest(request)
        case .seqnoRequest(let request): written += self.writeSeqnoRequest(request)
        case .unrecognized: break  // written above
        }
        return written
    }
}
