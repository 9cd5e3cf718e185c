import Hummingbird
import MyceliumCore
import NIOCore

/// Upstream's admin routes under `/api/v1` (spec §5.5, `mycelium-api/src/lib.rs`), registered on any Hummingbird
/// router so that the message routes (`/api/v1/messages…`) can later be added to the same one.
///
/// Replies follow axum's: JSON bodies compact, refusals `text/plain` (see ``AdminAPIError``), unknown paths 404 with
/// an empty body, and a known path with a method it does not serve 405 with an `Allow` header.
public enum AdminRoutes {
    /// Request bodies above this are refused with 413 before parsing.
    public static let maximumBodySize = 64 * 1024

    /// The methods answered with 405 on admin paths that do not serve them.
    static let refusableMethods: [HTTPRequest.Method] = [.get, .post, .put, .delete, .patch]

    /// Adds every admin route to `router`, answering from `administration`.
    public static func register<Context: RequestContext>(
        on router: some RouterMethods<Context>,
        administration: any NodeAdministration
    ) {
        router.get("api/v1/admin") { _, _ in Response.json(administration.info.jsonValue) }
        Self.allow([.get], at: "api/v1/admin", on: router)

        router.get("api/v1/admin/peers") { _, _ in
            Response.json(.array(await administration.peers().map(\.jsonValue)))
        }
        router.post("api/v1/admin/peers") { request, _ in
            try await Self.addPeer(request, administration: administration)
        }
        Self.allow([.get, .post], at: "api/v1/admin/peers", on: router)

        router.delete("api/v1/admin/peers/:endpoint") { _, context in
            await Self.removePeer(context.parameters.get("endpoint") ?? "", administration: administration)
        }
        Self.allow([.delete], at: "api/v1/admin/peers/:endpoint", on: router)

        router.get("api/v1/admin/routes/selected") { _, _ in
            Response.json(.array(await administration.selectedRoutes().map(\.jsonValue)))
        }
        Self.allow([.get], at: "api/v1/admin/routes/selected", on: router)
        router.get("api/v1/admin/routes/fallback") { _, _ in
            Response.json(.array(await administration.fallbackRoutes().map(\.jsonValue)))
        }
        Self.allow([.get], at: "api/v1/admin/routes/fallback", on: router)
        router.get("api/v1/admin/routes/queried") { _, _ in
            Response.json(.array(await administration.queriedSubnets().map(\.jsonValue)))
        }
        Self.allow([.get], at: "api/v1/admin/routes/queried", on: router)

        router.get("api/v1/pubkey/:ip") { _, context in
            await Self.publicKey(context.parameters.get("ip") ?? "", administration: administration)
        }
        Self.allow([.get], at: "api/v1/pubkey/:ip", on: router)
    }

    /// `POST /api/v1/admin/peers` with `{"endpoint":"tcp://…"}`: 204, or 400 / 409 / axum's body rejections.
    private static func addPeer(_ request: Request, administration: any NodeAdministration) async throws -> Response {
        var request = request
        let body: JSONValue
        switch try await Self.readJSONBody(&request) {
        case .success(let value): body = value
        case .failure(let error): return .text(error.http.body, status: error.http.status)
        }
        let text: String
        switch body["endpoint"] {
        case .string(let value)?: text = value
        case nil where body.isObject: return Self.shapeFailure("missing field `endpoint`")
        case .some where body.isObject: return Self.shapeFailure("endpoint: invalid type, expected a string")
        default: return Self.shapeFailure("invalid type, expected struct AddPeer")
        }
        let endpoint: PeerEndpoint
        do {
            endpoint = try PeerEndpoint(parsing: text)
        } catch {
            return .failure(AdminAPIError(error, operation: .add))
        }
        do {
            try await administration.addPeer(endpoint)
        } catch {
            return .failure(AdminAPIError(error, operation: .add))
        }
        return Response(status: .noContent)
    }

    /// `DELETE /api/v1/admin/peers/{url-encoded endpoint}`: 204, 400 or 404.
    private static func removePeer(_ rawEndpoint: String, administration: any NodeAdministration) async -> Response {
        guard let text = PercentDecoding.decode(rawEndpoint) else {
            return .failure(.invalidEndpoint(reason: "invalid percent-encoding in the path", operation: .remove))
        }
        let endpoint: PeerEndpoint
        do {
            endpoint = try PeerEndpoint(parsing: text)
        } catch {
            return .failure(AdminAPIError(error, operation: .remove))
        }
        do {
            try await administration.removePeer(endpoint)
        } catch {
            return .failure(AdminAPIError(error, operation: .remove))
        }
        return Response(status: .noContent)
    }

    /// `GET /api/v1/pubkey/{ip}`: `{"publicKey":"<hex>"}`; 404 when no route announced the key (always for an IPv4
    /// address, which upstream also accepts); 400 for text that is no IP address.
    private static func publicKey(_ rawIP: String, administration: any NodeAdministration) async -> Response {
        switch Self.parseIPArgument(PercentDecoding.decode(rawIP) ?? "") {
        case .invalid: return .failure(.invalidIP)
        case .ipv4: return .failure(.noPublicKey)
        case .ipv6(let address):
            guard let key = await administration.publicKey(for: address) else { return .failure(.noPublicKey) }
            return .json(.object([JSONMember("publicKey", .string(key.hexString))]))
        }
    }

    /// What an `ip` argument is; shared with JSON-RPC `getPublicKeyFromIp`, which parses it the same way
    /// (Rust's `IpAddr::from_str`).
    enum IPArgument {
        case ipv6(IPv6Address)
        case ipv4
        case invalid
    }

    static func parseIPArgument(_ text: String) -> IPArgument {
        if let address = IPv6Address(text) { return .ipv6(address) }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let isIPv4 =
            parts.count == 4
            && parts.allSatisfy { part in
                (1...3).contains(part.count) && part.allSatisfy { $0.isASCII && $0.isNumber }
                    && (part.count == 1 || part.first != "0") && (Int(part) ?? 256) <= 255
            }
        return isIPv4 ? .ipv4 : .invalid
    }

    /// Collects a JSON body as axum's `Json` extractor does: content type `application/json` (or `…+json`), at most
    /// ``maximumBodySize`` bytes, valid JSON.
    static func readJSONBody(_ request: inout Request) async throws -> Result<JSONValue, AdminBodyError> {
        guard Self.isJSONContentType(request.headers[.contentType]) else { return .failure(.unsupportedMediaType) }
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: Self.maximumBodySize)
        } catch is NIOTooManyBytesError {
            return .failure(.tooLarge)
        }
        do {
            return .success(try JSONParser.parse(buffer.readableBytesView))
        } catch {
            return .failure(.malformed(error))
        }
    }

    static func isJSONContentType(_ value: String?) -> Bool {
        guard let value else { return false }
        let mediaType = value.split(separator: ";", maxSplits: 1).first ?? ""
        let essence = String(mediaType.filter { !$0.isWhitespace }).lowercased()
        let parts = essence.split(separator: "/", maxSplits: 1)
        guard parts.count == 2, parts[0] == "application" else { return false }
        return parts[1] == "json" || parts[1].hasSuffix("+json")
    }

    private static func shapeFailure(_ reason: String) -> Response {
        let error = AdminBodyError.wrongShape(reason)
        return .text(error.http.body, status: error.http.status)
    }

    /// Answers the methods `path` does not serve with 405 and an `Allow` header, as axum's method router does (which
    /// also lists `HEAD` for `GET` routes; build the router with `.autoGenerateHeadEndpoints` to serve it).
    private static func allow<Context: RequestContext>(
        _ methods: [HTTPRequest.Method],
        at path: RouterPath,
        on router: some RouterMethods<Context>
    ) {
        let listed = methods.contains(.get) ? methods + [.head] : methods
        let allowed = listed.map(\.rawValue).joined(separator: ",")
        for method in Self.refusableMethods where !methods.contains(method) {
            router.on(path, method: method) { _, _ in
                Response(status: .methodNotAllowed, headers: [.allow: allowed])
            }
        }
    }
}
