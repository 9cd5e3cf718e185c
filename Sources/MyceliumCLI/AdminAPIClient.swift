import Foundation
import MyceliumCore
import MyceliumNode

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A minimal client for a node's HTTP API (spec §5.5) at `--api-addr`, as upstream's CLI uses it through `reqwest`.
struct AdminAPIClient: Sendable {
    /// How long one request may take before the CLI gives up.
    static let timeout: TimeInterval = 30

    /// Why a CLI verb failed; printed by the argument parser as one `Error: …` line.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// One answer: the status code and the raw body.
    struct Reply {
        var status: Int
        var body: Data

        var text: String { String(decoding: self.body, as: UTF8.self) }
    }

    let address: MyceliumCore.SocketAddress

    /// `GET path`; fails unless the status is 2xx. `action` names the step for the error line.
    func get(_ path: String, action: String) async throws -> Reply {
        try await self.send("GET", path, body: nil, action: action)
    }

    /// `POST path` with a JSON body; fails unless the status is 2xx.
    func post(_ path: String, json: JSONValue, action: String) async throws -> Reply {
        try await self.send("POST", path, body: json, action: action)
    }

    /// `DELETE path`; fails unless the status is 2xx.
    func delete(_ path: String, action: String) async throws -> Reply {
        try await self.send("DELETE", path, body: nil, action: action)
    }

    /// Parses a 2xx reply body as JSON.
    static func json(_ reply: Reply) throws -> JSONValue {
        do {
            return try JSONParser.parse(reply.body)
        } catch {
            throw Failure(description: "the API answered with something that is not JSON (\(error))")
        }
    }

    private func send(_ method: String, _ path: String, body: JSONValue?, action: String) async throws -> Reply {
        let base = "http://\(self.address)"
        guard let url = URL(string: base + path) else { throw Failure(description: "invalid API address \(base)") }
        var request = URLRequest(url: url, timeoutInterval: Self.timeout)
        request.httpMethod = method
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(body.compactText.utf8)
        }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            let reason = error.localizedDescription
            throw Failure(description: Self.oneLine("\(action): could not reach the API at \(base) (\(reason))"))
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let reply = Reply(status: status, body: data)
        guard (200..<300).contains(status) else {
            let detail = reply.text.isEmpty ? "" : ": \(reply.text)"
            throw Failure(description: Self.oneLine("\(action): the API answered HTTP \(status)\(detail)"))
        }
        return reply
    }

    private static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
