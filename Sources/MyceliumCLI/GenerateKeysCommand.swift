import ArgumentParser
import MyceliumCore
import MyceliumCrypto

/// `mycelium generate-keys [--force]`: create the node's key file without starting the node.
struct GenerateKeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-keys",
        abstract: "Generate a new node key and save it to the key file."
    )

    @ParentCommand var root: MyceliumCommand

    @Flag(name: .long, help: "Overwrite an existing key file.")
    var force = false

    /// Like upstream, an existing key file without `--force` is left alone with a warning, and the command succeeds.
    func run() async throws {
        let keyFile = KeyFile(path: self.root.keyFilePath())
        let key = X25519.SecretKey.generate()
        do {
            try keyFile.save(key, overwrite: self.force)
        } catch .keyFileExists(let path) {
            printToStandardError("Refusing to generate new keys: \(path) already exists (use --force to replace it)")
            return
        }
        print("Generated a new key in \(keyFile.path)")
        print(InspectCommand.render(key.publicKey, json: false))
    }
}
