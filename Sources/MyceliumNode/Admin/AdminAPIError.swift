import Hummingbird
import MyceliumCore

/// The two peer operations; upstream's JSON-RPC reports a bad endpoint with a different code for each.
public enum PeerOperation: Hashable, Sendable {
    case add
    case remove
}

/// Why an admin request was refused. This file is the one place that maps refusals to upstream's replies
/// (house rule 5): the status and text body of its axum handlers (`mycelium-api/src/lib.rs`) and the error codes of
/// its jsonrpsee methods (`mycelium-api/src/rpc.rs`).
public enum AdminAPIError: Error, Hashable, Sendable {
    /// HTTP 400 with the reason; JSON-RPC −32009 (`addPeer`) or −32012 (`deletePeer`).
    case invalidEndpoint(reason: String, operation: PeerOperation)
    /// HTTP 409; JSON-RPC −32010.
    case peerExists
    /// HTTP 404; JSON-RPC −32011.
    case peerNotFound
    /// HTTP 400 (axum's `Path<IpAddr>` rejection); JSON-RPC −32007.
    case invalidIP
    /// HTTP 404 with an empty body; JSON-RPC −32008.
    case noPublicKey

    /// Maps the node's refusal of a peer change.
    public init(_ error: PeerManagementError, operation: PeerOperation) {
        switch error {
        case .invalidEndpoint(let reason): self = .invalidEndpoint(reason: reason, operation: operation)
        case .alreadyExists: self = .peerExists
        case .notFound: self = .peerNotFound
        case .unsupportedTransport(let endpoint, let reason):
            self = .invalidEndpoint(reason: "\(endpoint): \(reason)", operation: operation)
        }
    }

    /// Maps endpoint text that did not parse; the reason starts like upstream's `EndpointParseError` display.
    public init(_ error: PeerEndpoint.ParseError, operation: PeerOperation) {
        let reason =
            switch error {
            case .missingScheme: "missing leading protocol identifier"
            case .unknownScheme: "protocol for endpoint is not supported"
            case .missingPort, .invalidPort, .invalidHost: "failed to parse address: \(error)"
            }
        self = .invalidEndpoint(reason: reason, operation: operation)
    }

    /// The HTTP status and `text/plain` body upstream answers with (`nil`: no body).
    public var http: (status: HTTPResponse.Status, body: String?) {
        switch self {
        case .invalidEndpoint(let reason, _): (.badRequest, reason)
        case .peerExists: (.conflict, "A peer identified by that endpoint already exists")
        case .peerNotFound: (.notFound, "A peer identified by that endpoint does not exist")
        case .invalidIP: (.badRequest, "Invalid URL: invalid IP address syntax")
        case .noPublicKey: (.notFound, nil)
        }
    }

    /// The JSON-RPC error upstream returns.
    public var jsonRPC: JSONRPCError {
        switch self {
        case .invalidEndpoint(_, .add): .server(-32009)
        case .invalidEndpoint(_, .remove): .server(-32012)
        case .peerExists: .server(-32010)
        case .peerNotFound: .server(-32011)
        case .invalidIP: .server(-32007)
        case .noPublicKey: .server(-32008)
        }
    }
}

/// Why a JSON request body was refused, with the status and text of axum's `Json` extractor rejections.
public enum AdminBodyError: Error, Hashable, Sendable {
    case unsupportedMediaType
    case tooLarge
    case malformed(JSONParseError)
    case wrongShape(String)

    public var http: (status: HTTPResponse.Status, body: String) {
        switch self {
        case .unsupportedMediaType: (.unsupportedMediaType, "Expected request with `Content-Type: application/json`")
        case .tooLarge: (.contentTooLarge, "Failed to buffer the request body: length limit exceeded")
        case .malformed(let error): (.badRequest, "Failed to parse the request body as JSON: \(error)")
        case .wrongShape(let reason):
            (.unprocessableContent, "Failed to deserialize the JSON body into the target type: \(reason)")
        }
    }
}
