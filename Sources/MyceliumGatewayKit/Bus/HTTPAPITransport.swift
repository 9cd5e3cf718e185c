import Foundation
import MyceliumCore

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP exchange with a node's `/api/v1` (spec §5.5) through `URLSession`: the request goes out, the status and
/// the whole body come back. Transport failures (refused connection, timeout, cancellation) become
/// `MessageBusError.unavailable`; statuses are left to the caller, which knows what each one means on its route.
struct HTTPAPITransport: Sendable {
    /// What the node answered.
    struct Reply: Sendable {
        var status: Int
        var body: [UInt8]

        /// The refusal's reason as the API wrote it: the `error` member of a JSON object, a JSON string, or the text
        /// body; `nil` when the body is empty.
        var reason: String? {
            guard !self.body.isEmpty else { return nil }
            if let json = try? JSONParser.parse(self.body) {
                if let text = json["error"]?.stringValue ?? json.stringValue { return text }
            }
            let text = String(decoding: self.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return text.isEmpty ? nil : String(text.prefix(Self.maximumReasonLength))
        }

        /// Longest reason quoted from a body.
        static let maximumReasonLength = 512
    }

    /// Longest any single request may take, whatever the caller asks: `URLSession` keeps timers in milliseconds and
    /// a session's resource timeout defaults to 7 days, so waits beyond this are split (receive) or capped (send).
    static let maximumRequestTimeout: Duration = .seconds(6 * 86_400)

    /// Time a request gets beyond the server-side wait it asks for (the server answers when its wait ends).
    static let timeoutMargin: Duration = .seconds(30)

    /// The API's root, e.g. `http://127.0.0.1:8989`, without a trailing slash.
    let baseURL: String
    let session: URLSession

    /// Sends `method path` with an optional JSON body and returns the reply, whatever its status. `wait` is how long
    /// the server itself may hold the request (a long poll or a reply wait).
    func exchange(
        _ method: String, _ path: String, json: JSONValue? = nil, wait: Duration = .zero
    ) async throws(MessageBusError) -> Reply {
        guard let url = URL(string: self.baseURL + path) else {
            throw .invalidArgument("invalid API URL \(self.baseURL + path)")
        }
        var request = URLRequest(url: url, timeoutInterval: Self.timeoutInterval(forWait: wait))
        request.httpMethod = method
        if let json {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(json.compactText.utf8)
        }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await self.session.data(for: request)
        } catch {
            if Task.isCancelled { throw .unavailable("the request to \(self.baseURL) was cancelled") }
            let reason = Self.oneLine(error.localizedDescription)
            throw .unavailable("could not reach the API at \(self.baseURL): \(reason)")
        }
        guard let http = response as? HTTPURLResponse else {
            throw .unavailable("the API at \(self.baseURL) did not answer with HTTP")
        }
        return Reply(status: http.statusCode, body: [UInt8](data))
    }

    /// The `URLRequest` timeout for a request the server may hold for `wait`: `wait` plus a margin, at most
    /// ``maximumRequestTimeout``.
    static func timeoutInterval(forWait wait: Duration) -> TimeInterval {
        let ceiling = Self.maximumRequestTimeout
        let total = wait >= ceiling - Self.timeoutMargin ? ceiling : max(wait, .zero) + Self.timeoutMargin
        return TimeInterval(total.components.seconds) + 1
    }

    /// Parses a 2xx body as JSON.
    static func json(_ reply: Reply, route: String) throws(MessageBusError) -> JSONValue {
        do {
            return try JSONParser.parse(reply.body)
        } catch {
            throw .unavailable("the API answered \(route) with something that is not JSON (\(error))")
        }
    }

    /// `text` with every byte but ASCII letters, digits and `-._~` percent-escaped: safe as one path segment or
    /// query value (base64's `+`, `/` and `=` included).
    static func percentEscaped(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                output.unicodeScalars.append("%")
                output.unicodeScalars.append(hex[Int(byte >> 4)])
                output.unicodeScalars.append(hex[Int(byte & 0x0F)])
            }
        }
        return output
    }

    /// Whole seconds for a query parameter: negative is 0, a fraction rounds up (the API counts whole seconds).
    static func wholeSeconds(_ duration: Duration) -> Int64 {
        guard duration > .zero else { return 0 }
        let (seconds, attoseconds) = duration.components
        return attoseconds > 0 && seconds < .max ? seconds + 1 : seconds
    }

    private static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
