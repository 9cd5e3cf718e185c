import Foundation
import MyceliumCore

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A `MessageBus` that talks to a node's HTTP API (spec §5.5) — ours or an upstream Rust node's — so a gateway can
/// run in its own process:
///
/// | bus call | route |
/// |---|---|
/// | `send` | `POST /api/v1/messages[?reply_timeout=s]` → 201 `{id}` / 200 reply / 408 `{id}` |
/// | `receive` | `GET /api/v1/messages?peek=&timeout=&topic=<b64>` → 200 message / 204 none |
/// | `reply` | `POST /api/v1/messages/reply/{id}` → 204 |
/// | `status` | `GET /api/v1/messages/status/{id}` → 200 / 404 (`nil`) |
/// | topic policy | `/api/v1/messages/topics…` (see `HTTPMessageBus+Topics.swift`) |
///
/// Refusals map to `MessageBusError` in one place (``failure(_:route:notFound:payloadSize:)``); an unreachable API is
/// `.unavailable`. Topic length and payload size are checked before anything is sent.
///
/// Upstream differences a caller may notice: a Rust node answers `reply` with 204 even for an unknown id, creates a
/// topic when a source is added to it, and ignores a forward socket set on an unknown topic.
public struct HTTPMessageBus: MessageBus {
    /// 64 MiB, as `NodeConfiguration.defaultMaximumMessageSize`.
    public static let defaultMaximumMessageSize = 64 << 20

    /// Server-side waits longer than this are split into several long polls (`receive`), so no single request comes
    /// near `URLSession`'s limits.
    static let longPollChunk: Duration = .seconds(3600)

    /// The API's root, e.g. `http://127.0.0.1:8989`.
    public var baseURL: String { self.transport.baseURL }
    public let maximumMessageSize: Int
    let transport: HTTPAPITransport

    /// A bus for the API at `baseURL` (`http://host:port`, a trailing `/` is ignored).
    public init(
        baseURL: String, maximumMessageSize: Int = Self.defaultMaximumMessageSize, session: URLSession = .shared
    ) {
        var root = baseURL
        while root.hasSuffix("/") { root.removeLast() }
        self.transport = HTTPAPITransport(baseURL: root, session: session)
        self.maximumMessageSize = maximumMessageSize
    }

    /// A bus for the API at `apiAddress` (`--api-addr`, e.g. `127.0.0.1:8989`).
    public init(
        apiAddress: MyceliumCore.SocketAddress, maximumMessageSize: Int = Self.defaultMaximumMessageSize,
        session: URLSession = .shared
    ) {
        self.init(baseURL: "http://\(apiAddress)", maximumMessageSize: maximumMessageSize, session: session)
    }

    public func send(
        _ message: OutgoingMessage, replyTimeout: Duration?
    ) async throws(MessageBusError) -> PushOutcome {
        try self.check(message, topic: message.topic)
        var path = "/api/v1/messages"
        var wait = Duration.zero
        if let replyTimeout {
            let seconds = HTTPAPITransport.wholeSeconds(replyTimeout)
            path += "?reply_timeout=\(seconds)"
            wait = .seconds(seconds)
        }
        let route = "POST /api/v1/messages"
        let reply = try await self.transport.exchange("POST", path, json: message.jsonValue, wait: wait)
        guard [200, 201, 408].contains(reply.status) else {
            // Our node refuses an address it knows no key for with 400 and the bus's own wording; say so typed.
            if case .ip(let address) = message.destination {
                let unknown = MessageBusError.unknownDestination(address)
                if reply.status == 404 || (reply.status == 400 && reply.reason == unknown.description) { throw unknown }
            }
            throw self.failure(reply, route: route, notFound: nil, payloadSize: message.payload.count)
        }
        let json = try HTTPAPITransport.json(reply, route: route)
        do {
            switch reply.status {
            case 200: return .reply(try ReceivedMessage(json: json))
            case 201: return .accepted(try MessageID(idObject: json))
            default: return .replyTimedOut(try MessageID(idObject: json))
            }
        } catch {
            throw .unavailable("unexpected answer to \(route): \(error)")
        }
    }

    public func reply(to id: MessageID, with message: OutgoingMessage) async throws(MessageBusError) {
        try self.check(message, topic: [])
        var content = message
        content.topic = []
        let path = "/api/v1/messages/reply/\(id.hexString)"
        let reply = try await self.transport.exchange("POST", path, json: content.jsonValue)
        guard (200..<300).contains(reply.status) else {
            throw self.failure(
                reply, route: "POST /api/v1/messages/reply", notFound: .unknownMessage(id),
                payloadSize: message.payload.count
            )
        }
    }

    public func receive(
        peek: Bool, timeout: Duration, topic: [UInt8]?
    ) async throws(MessageBusError) -> ReceivedMessage? {
        if let topic, topic.count > OutgoingMessage.maximumTopicByteCount { throw .topicTooLong(topic.count) }
        var remaining = Duration.seconds(HTTPAPITransport.wholeSeconds(timeout))
        while true {
            let chunk = min(remaining, Self.longPollChunk)
            remaining -= chunk
            if let message = try await self.receiveOnce(peek: peek, wait: chunk, topic: topic) { return message }
            guard remaining > .zero, !Task.isCancelled else { return nil }
        }
    }

    /// One `GET /api/v1/messages` long poll of `wait` (whole seconds).
    private func receiveOnce(
        peek: Bool, wait: Duration, topic: [UInt8]?
    ) async throws(MessageBusError) -> ReceivedMessage? {
        var path = "/api/v1/messages?peek=\(peek)&timeout=\(wait.components.seconds)"
        if let topic { path += "&topic=" + HTTPAPITransport.percentEscaped(Base64.encode(topic)) }
        let route = "GET /api/v1/messages"
        let reply = try await self.transport.exchange("GET", path, wait: wait)
        switch reply.status {
        case 204: return nil
        case 200:
            let json = try HTTPAPITransport.json(reply, route: route)
            do {
                return try ReceivedMessage(json: json)
            } catch {
                throw .unavailable("unexpected answer to \(route): \(error)")
            }
        default: throw self.failure(reply, route: route, notFound: nil)
        }
    }

    public func status(of id: MessageID) async throws(MessageBusError) -> MessageStatus? {
        let route = "GET /api/v1/messages/status"
        let reply = try await self.transport.exchange("GET", "/api/v1/messages/status/\(id.hexString)")
        switch reply.status {
        case 404: return nil
        case 200:
            let json = try HTTPAPITransport.json(reply, route: route)
            do {
                return try MessageStatus(json: json)
            } catch {
                throw .unavailable("unexpected answer to \(route): \(error)")
            }
        default: throw self.failure(reply, route: route, notFound: nil)
        }
    }

    /// Refuses what the node would refuse anyway, before sending it: a topic over 255 bytes, a payload over
    /// ``maximumMessageSize``.
    private func check(_ message: OutgoingMessage, topic: [UInt8]) throws(MessageBusError) {
        guard topic.count <= OutgoingMessage.maximumTopicByteCount else { throw .topicTooLong(topic.count) }
        guard message.payload.count <= self.maximumMessageSize else {
            throw .messageTooLarge(size: message.payload.count, limit: self.maximumMessageSize)
        }
    }
}
