import MyceliumGatewayKit
import MyceliumMailGateway
import TOMLKit

extension ConfigFile {
    /// The gateways this build has, by `[gateways.<name>]` section.
    static let gatewayNames: Set<String> = [MailGateway.name]

    /// Every key of `[gateways.mail]`.
    static let mailGatewayKeys: Set<String> = [
        "enabled", "smtp_listen", "imap_listen", "autoconfig_listen", "allow", "max_message_size",
        "queue_lifetime_seconds", "resend_interval_seconds", "max_connections",
    ]

    /// Reads the `[gateways]` table: one sub-table per gateway, each key checked.
    mutating func readGateways(_ reader: ConfigTableReader) throws(ConfigError) {
        guard let value = reader.table["gateways"] else { return }
        guard let gateways = value.table else {
            throw .wrongType(path: reader.path, key: "gateways", expected: "a table of [gateways.<name>] sections")
        }
        for name in gateways.keys.sorted() where !Self.gatewayNames.contains(name) {
            throw .unknownKey(path: reader.path, key: "gateways.\(name)")
        }
        if let mail = gateways[MailGateway.name] {
            guard let table = mail.table else {
                throw .wrongType(path: reader.path, key: "gateways.mail", expected: "a table")
            }
            self.mailGateway = try Self.mailGateway(
                ConfigTableReader(table: table, path: reader.path, keyPrefix: "gateways.mail.")
            )
        }
    }

    static func mailGateway(_ reader: ConfigTableReader) throws(ConfigError) -> MailGatewayConfiguration {
        for key in reader.table.keys.sorted() where !Self.mailGatewayKeys.contains(key) {
            throw .unknownKey(path: reader.path, key: reader.qualified(key))
        }
        var configuration = MailGatewayConfiguration()
        configuration.isEnabled = try reader.bool("enabled") ?? true
        if let endpoint = try reader.endpoint("smtp_listen") { configuration.smtpListen = endpoint }
        if let endpoint = try reader.endpoint("imap_listen") { configuration.imapListen = endpoint }
        if let endpoint = try reader.endpoint("autoconfig_listen") { configuration.autoconfigListen = endpoint }
        if let entries = try reader.stringArray("allow") {
            do {
                configuration.allow = try NodeAllowList(entries: entries)
            } catch {
                throw .invalidValue(path: reader.path, key: reader.qualified("allow"), reason: "\(error)")
            }
        }
        if let size = try reader.integer("max_message_size", in: MailGatewayConfiguration.maximumMessageSizeRange) {
            configuration.maximumMessageSize = size
        }
        if let seconds = try reader.integer("queue_lifetime_seconds", in: 1...(365 * 86_400)) {
            configuration.queueLifetime = .seconds(seconds)
        }
        if let seconds = try reader.integer("resend_interval_seconds", in: 1...(7 * 86_400)) {
            configuration.resendInterval = .seconds(seconds)
        }
        if let count = try reader.integer("max_connections", in: 1...100_000) {
            configuration.maximumConnections = count
        }
        return configuration
    }
}

extension ConfigTableReader {
    /// A `host:port` listener address.
    func endpoint(_ key: String) throws(ConfigError) -> MailGatewayConfiguration.Endpoint? {
        guard let text = try self.string(key) else { return nil }
        guard let endpoint = MailGatewayConfiguration.Endpoint(text) else {
            throw .invalidValue(
                path: self.path, key: self.qualified(key), reason: "'\(text)' is not a host:port such as 127.0.0.1:2525"
            )
        }
        return endpoint
    }
}
