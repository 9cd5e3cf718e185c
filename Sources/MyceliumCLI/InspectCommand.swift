import ArgumentParser
import MyceliumCore
import MyceliumCrypto

/// `mycelium inspect [--json] [HEXPUBKEY]`: the overlay address of a public key, or of the node's own key.
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show the public key and overlay address of a key (default: this node's key)."
    )

    @ParentCommand var root: MyceliumCommand

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    @Argument(help: "A public key as 64 hex characters.")
    var key: String?

    func run() async throws {
        let publicKey: X25519.PublicKey
        if let key {
            publicKey = try X25519.PublicKey(hexString: key)
        } else {
            publicKey = try KeyFile(path: self.root.keyFilePath()).load().publicKey
        }
        print(Self.render(publicKey, json: self.json))
    }

    /// Upstream's two output forms: `Public key: …` / `Address: …` lines, or pretty-printed JSON.
    static func render(_ key: X25519.PublicKey, json: Bool) -> String {
        if json {
            return """
                {
                  "publicKey": "\(key.hexString)",
                  "address": "\(key.overlayAddress)"
                }
                """
        }
        return "Public key: \(key.hexString)\nAddress: \(key.overlayAddress)"
    }
}
