import Logging
import MyceliumGatewayKit
import NIOCore

/// Serves the autoconfig file over plain HTTP/1.1 (one request per connection): `GET` (or `HEAD`)
/// `/.well-known/autoconfig/mail/config-v1.1.xml` — where Thunderbird looks on the mail domain — and
/// `/mail/config-v1.1.xml` — where it looks on `autoconfig.<domain>` — with any query string (Thunderbird adds
/// `?emailaddress=…`). Anything else is 404, other methods 405, a request head over 16 KiB 431.
struct AutoconfigServer: Sendable {
    let autoconfig: MailAutoconfig
    let logger: Logger

    static let maximumRequestHeadByteCount = 16 << 10
    static let paths: Set<String> = ["/.well-known/autoconfig/mail/config-v1.1.xml", "/mail/config-v1.1.xml"]

    func serve(_ connection: GatewayConnection) async throws {
        var head = ByteBuffer()
        var complete = false
        for try await chunk in connection.inbound {
            var chunk = chunk
            head.writeBuffer(&chunk)
            if head.readableBytesView.firstRange(of: [13, 10, 13, 10]) != nil { complete = true }
            if complete || head.readableBytes > Self.maximumRequestHeadByteCount { break }
        }
        let response: ByteBuffer
        if complete {
            response = self.response(to: head)
        } else if head.readableBytes > Self.maximumRequestHeadByteCount {
            response = Self.response(status: "431 Request Header Fields Too Large", body: "request head too large\n")
        } else {
            return  // the client went away
        }
        try await connection.outbound.write(response)
    }

    /// The whole response to a request head.
    func response(to head: ByteBuffer) -> ByteBuffer {
        let lineEnd = head.readableBytesView.firstIndex(of: 13) ?? head.readableBytesView.endIndex
        let requestLine = String(decoding: head.readableBytesView[..<lineEnd], as: UTF8.self)
        let parts = requestLine.split(separator: " ")
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1.") else {
            return Self.response(status: "400 Bad Request", body: "malformed request line\n")
        }
        let method = parts[0]
        let path = String(parts[1].prefix { $0 != "?" })
        guard method == "GET" || method == "HEAD" else {
            return Self.response(status: "405 Method Not Allowed", body: "only GET and HEAD\n", extra: ["Allow: GET, HEAD"])
        }
        guard Self.paths.contains(path) else {
            return Self.response(status: "404 Not Found", body: "not found\n", omitBody: method == "HEAD")
        }
        return Self.response(
            status: "200 OK", body: self.autoconfig.xml, contentType: "text/xml; charset=utf-8",
            omitBody: method == "HEAD"
        )
    }

    static func response(
        status: String, body: String, contentType: String = "text/plain; charset=utf-8", extra: [String] = [],
        omitBody: Bool = false
    ) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeString("HTTP/1.1 \(status)\r\n")
        buffer.writeString("Content-Type: \(contentType)\r\n")
        buffer.writeString("Content-Length: \(body.utf8.count)\r\n")
        buffer.writeString("Cache-Control: no-cache\r\n")
        buffer.writeString("Connection: close\r\n")
        for line in extra { buffer.writeString(line + "\r\n") }
        buffer.writeString("\r\n")
        if !omitBody { buffer.writeString(body) }
        return buffer
    }
}
