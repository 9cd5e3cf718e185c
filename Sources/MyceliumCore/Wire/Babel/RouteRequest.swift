import NIOCore

/// Route Request TLV (type 9; spec §3.1, §3.9): `generation | AE | plen | prefix`.
/// A wildcard request (AE 0) asks for a full route dump. The generation counts forwards; upstream forwards a request
/// only while `generation + 1 < 16`.
public struct RouteRequest: Hashable, Sendable {
    public static let tlvType: UInt8 = 9
    public static let baseByteCount = 3

    /// The requested prefix; `nil` for a wildcard request.
    public var prefix: BabelPrefix?
    public var generation: UInt8

    public init(prefix: BabelPrefix?, generation: UInt8 = 0) {
        self.prefix = prefix
        self.generation = generation
    }

    var bodyByteCount: Int { Self.baseByteCount + (self.prefix?.wireByteCount ?? 0) }
}

extension ByteBuffer {
    mutating func readRouteRequest() throws(ControlPacketDecodingFailure) -> RouteRequest {
        let length = self.readableBytes
        guard let (generation, ae, plen) = self.readMultipleIntegers(as: (UInt8, UInt8, UInt8).self) else {
            throw .malformed(.invalidTLVLength(type: RouteRequest.tlvType, length: length))
        }
        // Upstream reads no prefix for a wildcard, whatever the prefix length says.
        if ae == AddressEncoding.wildcard.rawValue {
            return RouteRequest(prefix: nil, generation: generation)
        }
        let prefix: BabelPrefix?
        do {
            prefix = try self.readBabelPrefix(addressEncoding: ae, prefixLength: plen)
        } catch {
            throw .dropped(error)
        }
        guard let prefix else { throw .malformed(.invalidTLVLength(type: RouteRequest.tlvType, length: length)) }
        return RouteRequest(prefix: prefix, generation: generation)
    }

    mutating func writeRouteRequest(_ request: RouteRequest) -> Int {
        guard let prefix = request.prefix else {
            return self.writeMultipleIntegers(request.generation, AddressEncoding.wildcard.rawValue, UInt8(0))
        }
        return self.writeMultipleIntegers(request.generation, prefix.addressEncoding.rawValue, prefix.prefixLength)
            + self.writeBabelPrefix(prefix)
    }
}
