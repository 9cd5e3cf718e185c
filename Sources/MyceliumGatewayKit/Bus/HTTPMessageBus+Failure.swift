extension HTTPMessageBus {
    /// The one place an HTTP refusal becomes a `MessageBusError` (house rule 5), with the reason the API gave (a JSON
    /// `{"error":…}` member or the text body; upstream's axum handlers often send none):
    ///
    /// - 400, 415, 422 (a request the node could not use) → `.invalidArgument`;
    /// - 404 → `notFound`, which depends on the route (`.unknownMessage`, `.unknownDestination`, `.unknownTopic`), or
    ///   `.invalidArgument` where the route has no "unknown" meaning;
    /// - 413 → `.messageTooLarge` (the limit quoted by the node if it gave one, else ours);
    /// - anything else (5xx, an unexpected 408…) → `.unavailable`.
    func failure(
        _ reply: HTTPAPITransport.Reply, route: String, notFound: MessageBusError?, payloadSize: Int = 0
    ) -> MessageBusError {
        let reason = reply.reason
        let detail = reason.map { ": \($0)" } ?? ""
        switch reply.status {
        case 400, 415, 422:
            return .invalidArgument("\(route) was refused (HTTP \(reply.status))\(detail)")
        case 404:
            return notFound ?? .invalidArgument("\(route): not found (HTTP 404)\(detail)")
        case 413:
            let limit = reason.flatMap(Self.quotedLimit) ?? self.maximumMessageSize
            return .messageTooLarge(size: payloadSize, limit: limit)
        default:
            return .unavailable("\(route): the node answered HTTP \(reply.status)\(detail)")
        }
    }

    /// The number after "at most " in a refusal such as "message is 70000000 bytes, at most 67108864 are allowed".
    static func quotedLimit(_ reason: String) -> Int? {
        guard let range = reason.range(of: "at most ") else { return nil }
        let digits = reason[range.upperBound...].prefix { $0.isASCII && $0.isNumber }
        return digits.count <= 18 ? Int(digits) : nil
    }
}
