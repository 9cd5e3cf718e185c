/// One node of a message's MIME tree (RFC 2045, RFC 2046): a header and a body, located by byte offsets.
///
/// The top-level message and a `message/rfc822` part's embedded message are nodes too; a `message/rfc822` node has
/// exactly one child, the embedded message.
struct MIMEPart: Sendable {
    enum Kind: Sendable, Equatable {
        /// A single body (text, image, …), or a multipart / message too deep to open.
        case leaf
        /// `multipart/*`: children are the body parts (RFC 2046 §5.1).
        case multipart
        /// `message/rfc822`: the one child is the embedded message (RFC 2046 §5.2.1).
        case message
    }

    /// The header (MIME header for a body part, RFC 5322 header for a message), up to and including the blank line.
    var header: MIMEHeader
    /// The body's bytes.
    var bodyRange: Range<Int>
    /// Lowercased media type and subtype as used for the structure (defaults applied, RFC 2045 §5.2).
    var type: [UInt8]
    var subtype: [UInt8]
    /// Type and subtype as written in the header (Dovecot writes them so), or the defaults in lower case.
    var writtenType: [UInt8]
    var writtenSubtype: [UInt8]
    /// The parsed `Content-Type` (for its parameters), `nil` when absent.
    var contentType: MIMEParameterizedValue?
    var kind: Kind
    /// Indices of the children in `MIMETree.parts`.
    var children: [Int] = []
    /// Nesting depth (0 for the top-level message).
    var depth: Int

    /// The whole node: header and body.
    var range: Range<Int> { self.header.range.lowerBound..<self.bodyRange.upperBound }
}
