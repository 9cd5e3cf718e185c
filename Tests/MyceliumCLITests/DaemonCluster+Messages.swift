import Foundation
import MyceliumCore
import MyceliumCrypto
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension DaemonCluster {
    /// Node `index`'s message API.
    func api(_ index: Int) -> MessageAPIClient {
        MessageAPIClient(port: self.nodes[index].apiPort)
    }

    func publicKeyHex(_ index: Int) -> String {
        self.nodes[index].secretKey.publicKey.hexString
    }
}

/// One daemon's message API (spec §5.5), spoken as any HTTP client would: JSON, base64 payloads.
struct MessageAPIClient: Sendable {
    let port: Int

    struct Reply {
        var status: Int
        var body: Data
        var json: Any? { try? JSONSerialization.jsonObject(with: self.body, options: [.fragmentsAllowed]) }
        var object: [String: Any]? { self.json as? [String: Any] }
    }

    func request(
        _ method: String,
        _ path: String,
        json: Any? = nil,
        rawBody: Data? = nil,
        timeout: TimeInterval = 120
    ) async throws -> Reply {
        let url = try #require(URL(string: "http://127.0.0.1:\(self.port)\(path)"))
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        if let json {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
        } else if let rawBody {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = rawBody
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return Reply(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: data)
    }

    /// `POST /api/v1/messages` to the node with public key `to` (hex); returns the reply.
    func push(
        to: String,
        payload: Data,
        topic: String? = nil,
        replyTimeout: Int? = nil
    ) async throws -> Reply {
        var body: [String: Any] = [
            "dst": ["pk": to],
            "payload": payload.base64EncodedString(),
        ]
        if let topic { body["topic"] = Data(topic.utf8).base64EncodedString() }
        let query = replyTimeout.map { "?reply_timeout=\($0)" } ?? ""
        return try await self.request("POST", "/api/v1/messages\(query)", json: body)
    }

    /// `GET /api/v1/messages?timeout=…`: the next message's JSON, or `nil` on 204.
    func pop(timeout: Int, peek: Bool = false) async throws -> [String: Any]? {
        let reply = try await self.request("GET", "/api/v1/messages?timeout=\(timeout)&peek=\(peek)")
        if reply.status == 204 { return nil }
        #expect(reply.status == 200, "GET /api/v1/messages answered \(reply.status)")
        return reply.object
    }

    /// The `state` of a sent message as text: `pending`, `sending`, `received`, `read`, `aborted`.
    func messageState(id: String) async throws -> String? {
        let reply = try await self.request("GET", "/api/v1/messages/status/\(id)")
        guard reply.status == 200, let state = reply.object?["state"] else { return nil }
        if let text = state as? String { return text }
        if let object = state as? [String: Any], object["sending"] != nil { return "sending" }
        return "\(state)"
    }
}
