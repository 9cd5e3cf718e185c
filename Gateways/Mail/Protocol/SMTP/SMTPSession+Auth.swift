import MyceliumCore

extension SMTPSession {
    /// The longest user name taken from a SASL response.
    static let maximumUserNameLength = 255

    /// RFC 4954 §4: `AUTH mechanism [initial-response]`.
    mutating func startAuthentication(mechanism: String, initialResponse: [UInt8]?) -> [Action] {
        // RFC 4954 §4: "After a successful AUTH command completes, a server MUST reject any further AUTH commands
        // with a 503 reply." and "The AUTH command is not permitted during a mail transaction."
        guard self.user == nil else { return self.error(SMTPReply(code: 503, "5.5.1", "Already authenticated")) }
        guard self.transaction == nil else {
            return self.error(SMTPReply(code: 503, "5.5.1", "AUTH not permitted during a mail transaction"))
        }
        guard self.clientName != nil else { return self.error(SMTPReply(code: 503, "5.5.1", "Send EHLO first")) }
        switch mechanism {
        case "PLAIN":
            guard let initialResponse else {
                self.state = .authenticating(.plain)
                return [.send(SMTPReply(code: 334, nil, ""))]
            }
            return self.receiveAuthResponse(initialResponse, step: .plain)
        case "LOGIN":
            guard let initialResponse else {
                self.state = .authenticating(.loginUser)
                return [.send(Self.usernamePrompt)]
            }
            return self.receiveAuthResponse(initialResponse, step: .loginUser)
        default:
            return self.error(SMTPReply(code: 504, "5.5.4", "Unrecognized authentication type"))
        }
    }

    /// One base64 client response (an initial response or a line after a `334`).
    mutating func receiveAuthResponse(_ line: [UInt8], step: SMTPAuthStep) -> [Action] {
        self.state = .command
        // RFC 4954 §4: "If the client wishes to cancel the authentication exchange, it issues a line with a single
        // "*". If the server receives such a response, it MUST reject the AUTH command by sending a 501 reply."
        if line == [UInt8(ascii: "*")] {
            return self.error(SMTPReply(code: 501, "5.7.0", "Authentication cancelled"))
        }
        guard let decoded = Self.decodeResponse(line) else {
            return self.error(SMTPReply(code: 501, "5.5.2", "Invalid base64 data"))
        }
        switch step {
        case .plain:
            // RFC 4616 §2: message = [authzid] UTF8NUL authcid UTF8NUL passwd
            let parts = decoded.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, let user = Self.userName(parts[1]) else {
                return self.error(SMTPReply(code: 501, "5.5.2", "Invalid PLAIN response"))
            }
            // Acting for another identity is not offered.
            guard parts[0].isEmpty || Array(parts[0]) == Array(parts[1]) else {
                return self.error(SMTPReply(code: 535, "5.7.8", "Authentication credentials invalid"))
            }
            self.state = .awaitingAuthentication
            return [.authenticate(user: user, password: Array(parts[2]))]
        case .loginUser:
            guard let user = Self.userName(decoded[...]) else {
                return self.error(SMTPReply(code: 501, "5.5.2", "Invalid user name"))
            }
            self.state = .authenticating(.loginPassword(user: user))
            return [.send(Self.passwordPrompt)]
        case .loginPassword(let user):
            self.state = .awaitingAuthentication
            return [.authenticate(user: user, password: decoded)]
        }
    }

    /// The authenticator's answer.
    mutating func finishAuthentication(account: String?) -> [Action] {
        self.state = .command
        guard let account else {
            return self.error(SMTPReply(code: 535, "5.7.8", "Authentication credentials invalid"))
        }
        self.setUser(account)
        return [.send(SMTPReply(code: 235, "2.7.0", "Authentication successful"))]
    }

    /// The LOGIN mechanism's prompts: base64 of "Username:" and "Password:".
    static let usernamePrompt = SMTPReply(code: 334, nil, "VXNlcm5hbWU6")
    static let passwordPrompt = SMTPReply(code: 334, nil, "UGFzc3dvcmQ6")

    /// Decodes a base64 response; `=` is the empty initial response (RFC 4954 §4). Missing padding is tolerated.
    static func decodeResponse(_ line: [UInt8]) -> [UInt8]? {
        // An empty line is an empty response too when it answers a `334` challenge.
        if line.isEmpty || line == [UInt8(ascii: "=")] { return [] }
        var padded = line
        while padded.count % 4 != 0, padded.count < line.count + 3 { padded.append(UInt8(ascii: "=")) }
        return try? Base64.decode(bytes: padded)
    }

    private static func userName(_ bytes: ArraySlice<UInt8>) -> String? {
        guard !bytes.isEmpty, bytes.count <= Self.maximumUserNameLength, !bytes.contains(0) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }
}
