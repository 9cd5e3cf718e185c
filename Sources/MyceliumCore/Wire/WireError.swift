/// Malformed input met by a wire decoder. Running out of bytes is *not* an error: decoders return `nil` for that.
///
/// A peer that sends any of these is misbehaving (or speaks another protocol); the link drops it.
public enum WireError: Error, Hashable, Sendable {
    /// Link header byte 0 was not protocol version 1.
    case unsupportedLinkVersion(UInt8)
    /// Link header byte 1 was neither data (0) nor control (1).
    case unknownPacketType(UInt8)
    /// A TLV's length byte does not fit its type (or the Babel body that carries it).
    case invalidTLVLength(type: UInt8, length: Int)
    /// A length field exceeds the protocol's limit for it.
    case lengthExceedsLimit(field: Field, length: Int, limit: Int)
    /// A field whose value is out of its range.
    case invalidField(Field)

    /// The field a `lengthExceedsLimit` or `invalidField` error talks about.
    public enum Field: String, Hashable, Sendable {
        case babelBodyLength
        case dataPayloadLength
        case helloInterval
        case ihuInterval
        case userDataVersion
        case userDataType
        case messageFlags
        case messageLength
        case topicLength
        case chunkSize
        case chunkRange
        case beaconMagic
        case beaconLength
        case icmpBodyLength
        case ipVersion
        case ipNextHeader
    }
}
