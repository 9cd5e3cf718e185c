/// Where an RFC 4954 AUTH exchange waits for the client's next response line.
enum SMTPAuthStep: Hashable, Sendable {
    /// PLAIN after an empty `334 ` challenge: the response is `authzid NUL authcid NUL passwd` (RFC 4616 §2).
    case plain
    /// LOGIN after `334 VXNlcm5hbWU6` ("Username:").
    case loginUser
    /// LOGIN after `334 UGFzc3dvcmQ6` ("Password:").
    case loginPassword(user: String)
}
