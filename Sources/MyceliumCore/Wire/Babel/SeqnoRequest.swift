import NIOCore

/// Seqno Request TLV (type 10; spec §3.1, §3.10):
/// `AE | plen | seqno u16 | hop count | reserved | router id 40 | prefix` — the router id comes *before* the
/// prefix, unlike RFC 8966.
public struct SeqnoRequest: Hashable, Sendable {
    public static let tlvType: UInt8 = 10
    public static let baseByteCount = 6 + RouterID.byteCount
    /// Hop count of a new request (RFC 8966 §3.8.2.1).
    public static let defaultHopCount: UInt8 = 64

    public var prefix: BabelPrefix
    /// The requested sequence number.
    public var seqno: SeqNo
    /// Forwards left plus one; never 0 (upstream drops such requests).
    public var hopCount: UInt8
    public var routerID: RouterID

    public init(prefix: BabelPrefix, seqno: SeqNo, routerID: RouterID, hopCount: UInt8 = SeqnoRequest.defaultHopCount) {
        self.prefix = prefix
        self.seqno = seqno
        self.hopCount = hopCount
        self.routerID = routerID
    }

    var bodyByteCount: Int { Self.baseByteCount + self.prefix.wireByteCount }
}

extension ByteBuffer {
    mutating func readSeqnoRequest() throws(ControlPacketDecodingFailure) -> SeqnoRequest {
        let length = self.readableBytes
        let malformed = ControlPacketDecodingFailure.malformed(
            .invalidTLVLength(type: SeqnoRequest.tlvType, length: length)
        )
        guard let (ae, plen, seqno, hopCount, _) = self.readMultipleIntegers(
            as: (UInt8, UInt8, UInt16, UInt8, UInt8).self
        ), let routerID = self.readRouterID()
        else { throw malformed }
        let prefix: BabelPrefix?
        do {
            prefix = try self.readBabelPrefix(addressEncoding: ae, prefixLength: plen)
        } catch {
            throw .dropped(error)
        }
        guard let prefix else { throw malformed }
        guard hopCount > 0 else { throw .zeroHopCount }
        return SeqnoRequest(prefix: prefix, seqno: SeqNo(seqno), routerID: routerID, hopCount: hopCount)
    }

    mutating func writeSeqnoRequest(_ request: SeqnoRequest) -> Int {
        self.writeMultipleIntegers(
            request.prefix.addressEncoding.rawValue,
            request.prefix.prefixLength,
            request.seqno.rawValue,
            request.hopCount,
            UInt8(0)
        ) + self.writeRouterID(request.routerID) + self.writeBabelPrefix(request.prefix)
    }
}
