import NIOCore

/// Update TLV (type 8; spec §3.1): announces (or, with an infinite metric, retracts) a route.
///
/// ```
/// AE | flags | plen | omitted (0) | interval u16 (cs) | seqno u16 | metric u16 | prefix ceil(plen/8) | router id 40
/// ```
/// Unlike RFC 8966, the originator's router id travels inline in every Update, and prefix compression is never used.
public struct Update: Hashable, Sendable {
    public static let tlvType: UInt8 = 8
    public static let baseByteCount = 10 + RouterID.byteCount
    /// Only these flag bits survive decoding (they carry no meaning in Mycelium).
    public static let flagMask: UInt8 = 0xC0

    public var flags: UInt8
    /// Centiseconds until the next Update for this prefix (upstream: 30000 = 300 s).
    public var interval: UInt16
    public var seqno: SeqNo
    public var metric: Metric
    public var prefix: BabelPrefix
    /// The router that originated the route.
    public var routerID: RouterID

    public init(
        prefix: BabelPrefix,
        seqno: SeqNo,
        metric: Metric,
        interval: UInt16,
        routerID: RouterID,
        flags: UInt8 = 0
    ) {
        self.flags = flags & Self.flagMask
        self.interval = interval
        self.seqno = seqno
        self.metric = metric
        self.prefix = prefix
        self.routerID = routerID
    }

    public var isRetraction: Bool { self.metric.isInfinite }

    var bodyByteCount: Int { Self.baseByteCount + self.prefix.wireByteCount }
}

extension ByteBuffer {
    /// Reads an Update body from a TLV body slice.
    mutating func readUpdate() throws(ControlPacketDecodingFailure) -> Update {
        let length = self.readableBytes
        let malformed = ControlPacketDecodingFailure.malformed(.invalidTLVLength(type: Update.tlvType, length: length))
        guard
            let (ae, flags, plen, _, interval, seqno, metric) = self.readMultipleIntegers(
                as: (UInt8, UInt8, UInt8, UInt8, UInt16, UInt16, UInt16).self
            )
        else { throw malformed }
        let prefix: BabelPrefix?
        do {
            prefix = try self.readBabelPrefix(addressEncoding: ae, prefixLength: plen)
        } catch {
            throw .dropped(error)
        }
        guard let prefix, let routerID = self.readRouterID() else { throw malformed }
        return Update(
            prefix: prefix,
            seqno: SeqNo(seqno),
            metric: Metric(metric),
            interval: interval,
            routerID: routerID,
            flags: flags
        )
    }

    mutating func writeUpdate(_ update: Update) -> Int {
        var written = self.writeMultipleIntegers(
            update.prefix.addressEncoding.rawValue,
            update.flags,
            update.prefix.prefixLength,
            UInt8(0),
            update.interval,
            update.seqno.rawValue,
            update.metric.rawValue
        )
        written += self.writeBabelPrefix(update.prefix)
        written += self.writeRouterID(update.routerID)
        return written
    }
}
