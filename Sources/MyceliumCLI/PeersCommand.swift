import ArgumentParser
import Foundation
import MyceliumCore
import MyceliumNode

/// `mycelium peers list|add|remove` (spec §6.1, upstream `mycelium-cli/src/peer.rs`), against the HTTP API at the
/// root's `--api-addr` (given before the subcommand, as upstream: `mycelium --api-addr 127.0.0.1:8989 peers list`).
struct PeersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peers",
        abstract: "Actions related to peers (list, remove, add).",
        subcommands: [List.self, Add.self, Remove.self]
    )

    /// `peers list [--json]`: a table, or the peers as pretty-printed JSON.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the connected peers.")

        @ParentCommand var root: MyceliumCommand

        @Flag(name: .long, help: "Print the peers list in JSON format.")
        var json = false

        func run() async throws {
            let client = AdminAPIClient(address: self.root.node.apiAddr)
            let reply = try await client.get("/api/v1/admin/peers", action: "failed to retrieve peers")
            guard case .array(let elements) = try AdminAPIClient.json(reply) else {
                throw AdminAPIClient.Failure(description: "the API answered with something that is not a peer list")
            }
            let peers: [PeerStatus]
            do {
                peers = try elements.map { element throws(JSONShapeError) in try PeerStatus(json: element) }
            } catch {
                throw AdminAPIClient.Failure(description: "unexpected peer in the API's answer: \(error)")
            }
            if self.json {
                print(JSONValue.array(peers.map(\.jsonValue)).prettyText)
            } else {
                print(Self.table(peers), terminator: "")
            }
        }

        /// Upstream's columns: protocol, socket, type, connection, traffic, discovery and last connection age.
        static func table(_ peers: [PeerStatus]) -> String {
            var table = TextTable(header: [
                "Protocol", "Socket", "Type", "Connection", "Rx total", "Tx total", "Discovered", "Last connection",
            ])
            for peer in peers {
                table.append([
                    Self.capitalized(peer.endpoint.transport.rawValue),
                    peer.endpoint.addressText,
                    Self.capitalized(peer.origin.rawValue),
                    Self.capitalized(peer.connectionState.rawValue),
                    Self.formatBytes(peer.rxBytes),
                    Self.formatBytes(peer.txBytes),
                    Self.formatSeconds(peer.discovered),
                    peer.lastConnected.map(Self.formatSeconds) ?? "Never connected",
                ])
            }
            return table.rendered
        }

        /// Rust's `Display` of upstream's enums: `Tcp`, `LinkLocalDiscovery`, `Alive`.
        static func capitalized(_ text: String) -> String {
            text.prefix(1).uppercased() + text.dropFirst()
        }

        /// `byte_unit`'s binary units with two decimals, as upstream prints them: `0.00 B`, `1.50 KiB`.
        static func formatBytes(_ bytes: UInt64) -> String {
            let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
            var exponent = 0
            while exponent + 1 < units.count, bytes >= UInt64(1) << (10 * UInt64(exponent + 1)) { exponent += 1 }
            let value = Double(bytes) / Double(UInt64(1) << (10 * UInt64(exponent)))
            return String(format: "%.2f %@", value, units[exponent])
        }

        /// Upstream's `format_seconds`, including its quirks (hours and days are taken modulo 60).
        static func formatSeconds(_ total: UInt64) -> String {
            let seconds = total % 60
            let minutes = (total / 60) % 60
            let hours = (total / 3600) % 60
            let days = (total / 86400) % 60
            if days > 0 { return "\(days)d \(hours)h \(minutes)m \(seconds)s" }
            if hours > 0 { return "\(hours)h \(minutes)m \(seconds)s" }
            if minutes > 0 { return "\(minutes)m \(seconds)s" }
            return "\(seconds)s"
        }
    }

    /// `peers add <endpoint>...`: one `POST` per endpoint, stopping at the first refusal.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add peer(s).")

        @ParentCommand var root: MyceliumCommand

        @Argument(help: "Endpoints such as tcp://192.0.2.1:9651.")
        var peers: [String] = []

        func run() async throws {
            let client = AdminAPIClient(address: self.root.node.apiAddr)
            for peer in self.peers {
                _ = try await client.post(
                    "/api/v1/admin/peers",
                    json: .object([JSONMember("endpoint", .string(peer))]),
                    action: "failed to add peer \(peer)"
                )
            }
        }
    }

    /// `peers remove <endpoint>...`: one `DELETE` per endpoint (URL-encoded), stopping at the first refusal.
    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove peer(s).")

        @ParentCommand var root: MyceliumCommand

        @Argument(help: "Endpoints such as tcp://192.0.2.1:9651.")
        var peers: [String] = []

        func run() async throws {
            let client = AdminAPIClient(address: self.root.node.apiAddr)
            for peer in self.peers {
                _ = try await client.delete(
                    "/api/v1/admin/peers/" + Self.percentEncoded(peer),
                    action: "failed to remove peer \(peer)"
                )
            }
        }

        /// The `urlencoding` crate's encoding: everything but ASCII letters, digits and `-._~` as `%XX`.
        static func percentEncoded(_ text: String) -> String {
            var output = ""
            for byte in text.utf8 {
                let scalar = Unicode.Scalar(byte)
                let unreserved =
                    ("0"..."9").contains(scalar) || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
                    || "-._~".unicodeScalars.contains(scalar)
                if unreserved {
                    output.unicodeScalars.append(scalar)
                } else {
                    output += "%" + String(format: "%02X", byte)
                }
            }
            return output
        }
    }
}
