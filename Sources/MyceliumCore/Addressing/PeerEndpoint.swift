/// Where to reach a peer (spec §2.1): `<scheme>://<host>:<port>`.
///
/// Schemes are `tcp`, `quic`, `tls` and `vsock` (case-insensitive). Hosts are IPv4 literals, bracketed IPv6 literals
/// (optionally with a `%zone`), or — beyond upstream, which accepts only literals (issue #163) — DNS names.
/// For `vsock` the host is a context id.
public struct PeerEndpoint: Hashable, Sendable {
    public enum Transport: String, Hashable, Sendable, CaseIterable {
        case tcp, quic, tls, vsock
    }

    public enum Host: Hashable, Sendable {
        /// Dotted-quad IPv4, kept as text (`1.2.3.4`).
        case ipv4(String)
        case ipv6(IPv6Address, zone: String?)
        /// A DNS name, resolved when the peer is dialled.
        case name(String)
        /// A vsock context id.
        case vsockContext(UInt32)
    }

    public var transport: Transport
    public var host: Host
    public var port: UInt32

    public init(transport: Transport, host: Host, port: UInt32) {
        self.transport = transport
        self.host = host
        self.port = port
    }

    /// Why endpoint text was refused; each case reads as a sentence fragment after "invalid endpoint".
    public enum ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        case missingScheme
        case unknownScheme(String)
        case missingPort
        case invalidPort(String)
        case invalidHost(String)

        public var description: String {
            switch self {
            case .missingScheme: "expected <scheme>://<host>:<port>, e.g. tcp://192.0.2.1:9651"
            case .unknownScheme(let scheme): "unknown scheme '\(scheme)' (expected tcp, quic, tls or vsock)"
            case .missingPort: "missing port"
            case .invalidPort(let port): "invalid port '\(port)'"
            case .invalidHost(let host): "invalid host '\(host)'"
            }
        }
    }

    /// Parses endpoint text.
    public init(parsing text: String) throws(ParseError) {
        guard let separator = text.firstRange(of: "://") else { throw .missingScheme }
        let scheme = String(text[..<separator.lowerBound]).lowercased()
        guard let transport = Transport(rawValue: scheme) else { throw .unknownScheme(scheme) }
        let rest = text[separator.upperBound...]
        guard let colon = rest.lastIndex(of: ":") else { throw .missingPort }
        let hostText = String(rest[..<colon])
        let portText = String(rest[rest.index(after: colon)...])
        let portLimit: UInt32 = transport == .vsock ? .max : UInt32(UInt16.max)
        guard !portText.isEmpty, portText.count <= 10, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
            let port = UInt32(portText), port > 0, port <= portLimit
        else { throw .invalidPort(portText) }
        self.init(transport: transport, host: try Self.parseHost(hostText, transport: transport), port: port)
    }

    private static func parseHost(_ text: String, transport: Transport) throws(ParseError) -> Host {
        if transport == .vsock {
            guard let cid = UInt32(text) else { throw .invalidHost(text) }
            return .vsockContext(cid)
        }
        if text.hasPrefix("[") {
            guard text.hasSuffix("]"), text.count > 2 else { throw .invalidHost(text) }
            let inner = text.dropFirst().dropLast()
            let parts = inner.split(separator: "%", maxSplits: 1, omittingEmptySubsequences: false)
            guard let address = IPv6Address(String(parts[0])) else { throw .invalidHost(text) }
            let zone = parts.count > 1 ? String(parts[1]) : nil
            if let zone, zone.isEmpty || zone.count > 15 || !zone.allSatisfy(Self.isZoneCharacter) {
                throw .invalidHost(text)
            }
            return .ipv6(address, zone: zone)
        }
        if Self.isIPv4Literal(text) { return .ipv4(text) }
        guard Self.isHostName(text) else { throw .invalidHost(text) }
        return .name(text.lowercased())
    }

    private static func isZoneCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || "-_.".contains(character))
    }

    private static func isIPv4Literal(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            (1...3).contains(part.count) && part.allSatisfy { $0.isASCII && $0.isNumber }
                && (part.count == 1 || part.first != "0") && (Int(part) ?? 256) <= 255
        }
    }

    /// RFC 1123 host names: dot-separated labels of letters, digits and hyphens, not starting or ending with one;
    /// not all-numeric (that would be a mistyped IPv4 literal).
    private static func isHostName(_ text: String) -> Bool {
        guard (1...253).contains(text.utf8.count) else { return false }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        let valid = labels.allSatisfy { label in
            (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
        return valid && !text.allSatisfy { $0.isNumber || $0 == "." }
    }
}

extension PeerEndpoint: CustomStringConvertible {
    /// The URI form, e.g. `tcp://[2a01::2]:9651`.
    public var description: String {
        let host: String =
            switch self.host {
            case .ipv4(let text): text
            case .ipv6(let address, let zone): "[\(address)\(zone.map { "%\($0)" } ?? "")]"
            case .name(let name): name
            case .vsockContext(let cid): String(cid)
            }
        return "\(self.transport.rawValue)://\(host):\(self.port)"
    }
}
