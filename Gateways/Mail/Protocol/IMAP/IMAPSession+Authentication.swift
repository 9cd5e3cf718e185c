import MyceliumCore
import NIOCore

extension IMAPSession {
    /// RFC 3501 §6.2.3 LOGIN.
    mutating func login(user: String, password: [UInt8]) async throws -> Outcome {
        guard let account = await self.authenticator.authenticate(user: user, password: password, client: self.client)
        else {
            return .no(code: "AUTHENTICATIONFAILED", "Authentication failed")
        }
        return try await self.loggedIn(account)
    }

    /// RFC 3501 §6.2.2 AUTHENTICATE with RFC 4616 PLAIN; RFC 4959 SASL-IR initial response (`=` is empty).
    mutating func authenticate(
        tag: String,
        mechanism: String,
        initialResponse: [UInt8]?,
        writer: inout IMAPResponseWriter
    ) async throws -> Outcome {
        guard mechanism == "PLAIN" else {
            return .no(code: "CANNOT", "Unsupported authentication mechanism")
        }
        guard let initialResponse else {
            // RFC 3501 §7.5: an empty challenge.
            writer.continuation("")
            self.pending = .authenticate(tag: tag)
            return .handled(.line)
        }
        return try await self.authenticatePlain(initialResponse == [UInt8(ascii: "=")] ? [] : initialResponse)
    }

    /// The client's line after AUTHENTICATE's `+`, or the `DONE` after IDLE.
    public mutating func receive(line: ByteBuffer, writer: inout IMAPResponseWriter) async throws -> Expectation {
        switch self.pending {
        case .none:
            return .command
        case .authenticate(let tag):
            self.pending = .none
            let bytes = Array(line.readableBytesView)
            if bytes == [UInt8(ascii: "*")] {
                return self.bad(tag, "Authentication cancelled", writer: &writer)
            }
            let outcome = try await self.authenticatePlain(bytes)
            return try await self.finish(IMAPCommand(tag: tag, kind: .noop), outcome, writer: &writer)
        case .idle(let tag):
            self.pending = .none
            let text = String(decoding: line.readableBytesView, as: UTF8.self).uppercased()
            guard text == "DONE" else {
                return self.bad(tag, "Expected DONE", writer: &writer)
            }
            return try await self.finish(
                IMAPCommand(tag: tag, kind: .noop),
                .ok(code: nil, "IDLE terminated"),
                writer: &writer
            )
        }
    }

    mutating func authenticatePlain(_ base64: [UInt8]) async throws -> Outcome {
        guard base64.count <= Self.maximumSASLResponseLength, let decoded = try? Base64.decode(bytes: base64) else {
            return .bad("Invalid base64 data")
        }
        // RFC 4616 §2: message = [authzid] UTF8NUL authcid UTF8NUL passwd
        let parts = decoded.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return .bad("Invalid PLAIN response") }
        let authzid = String(decoding: parts[0], as: UTF8.self)
        let authcid = String(decoding: parts[1], as: UTF8.self)
        guard authzid.isEmpty || authzid == authcid,
            let account = await self.authenticator.authenticate(
                user: authcid,
                password: Array(parts[2]),
                client: self.client
            )
        else {
            return .no(code: "AUTHENTICATIONFAILED", "Authentication failed")
        }
        return try await self.loggedIn(account)
    }

    mutating func loggedIn(_ account: String) async throws -> Outcome {
        try await self.store.prepareUser(account)
        self.state = .authenticated(user: account)
        return .ok(code: "CAPABILITY \(self.capabilityText)", "Logged in")
    }
}
