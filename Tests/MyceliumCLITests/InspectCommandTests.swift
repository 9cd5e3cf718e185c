import Foundation
import Testing

@Suite("mycelium inspect and generate-keys")
struct InspectCommandTests {
    /// Spec §10 vectors, plus the README keys recomputed with the current (BLAKE3) derivation.
    static let vectors: [(key: String, address: String)] = [
        ("07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c", "5a6:f0c6:f365:177d:66be:4a2b:d9fd:b59e"),
        ("5869aff450549732cbaaed5e5df9b30a6da31cb0e5742bad5ad4a1a768f1a67b", "5e5:2195:7cc4:bfb0:bb4d:44f8:afc:d14e"),
        ("0000000000000000000000000000000000000000000000000000000000000000", "5da:83c1:819a:5372:dae1:238f:c1de:d123"),
    ]

    @Test("inspect --json prints upstream's JSON for the spec vectors", arguments: 0..<3)
    func inspectJSON(index: Int) throws {
        let (key, address) = Self.vectors[index]
        let result = try MyceliumProcess.run(["inspect", "--json", key])
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: String]
        #expect(object == ["publicKey": key, "address": address])
        #expect(result.standardOutput == "{\n  \"publicKey\": \"\(key)\",\n  \"address\": \"\(address)\"\n}\n")
    }

    @Test("inspect prints upstream's two lines, and accepts upper-case hex")
    func inspectText() throws {
        let (key, address) = Self.vectors[0]
        let result = try MyceliumProcess.run(["inspect", key.uppercased()])
        #expect(result.status == 0)
        #expect(result.standardOutput == "Public key: \(key)\nAddress: \(address)\n")
    }

    @Test(
        "bad keys exit non-zero with a one-line error",
        arguments: ["", "07a3", String(repeating: "0", count: 63), String(repeating: "0", count: 66),
                    String(repeating: "g", count: 64)]
    )
    func badKey(key: String) throws {
        let result = try MyceliumProcess.run(["inspect", key])
        #expect(result.status != 0)
        #expect(result.standardOutput.isEmpty)
        let lines = result.standardError.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("Error: ") == true)
    }

    @Test("inspect without a key reads -k; an unreadable key file is a one-line error")
    func ownKey() throws {
        let directory = try TemporaryDirectory()
        let keyPath = directory.path + "/node/priv_key.bin"
        let missing = try MyceliumProcess.run(["inspect", "-k", keyPath])
        #expect(missing.status != 0)
        #expect(missing.standardError.split(separator: "\n").count == 1)
        #expect(missing.standardError.contains(keyPath))

        // The spec's first secret key, 01 02 … 20.
        try FileManager.default.createDirectory(atPath: directory.path + "/node", withIntermediateDirectories: true)
        try Data((1...32).map { UInt8($0) }).write(to: URL(fileURLWithPath: keyPath))
        let result = try MyceliumProcess.run(["-k", keyPath, "inspect", "--json"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains(Self.vectors[0].address))

        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: keyPath))
        let truncated = try MyceliumProcess.run(["inspect", "-k", keyPath])
        #expect(truncated.status != 0)
        #expect(truncated.standardError.contains("3 bytes"))
    }

    @Test("generate-keys creates a private key file, refuses to overwrite it, and --force replaces it")
    func generateKeys() throws {
        let directory = try TemporaryDirectory()
        let keyPath = directory.path + "/data/mycelium/priv_key.bin"
        let first = try MyceliumProcess.run(["generate-keys", "-k", keyPath])
        #expect(first.status == 0)
        let attributes = try FileManager.default.attributesOfItem(atPath: keyPath)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect((attributes[.size] as? Int) == 32)
        let parent = try FileManager.default.attributesOfItem(atPath: directory.path + "/data/mycelium")
        #expect((parent[.posixPermissions] as? Int) == 0o700)
        let original = try Data(contentsOf: URL(fileURLWithPath: keyPath))

        let again = try MyceliumProcess.run(["generate-keys", "-k", keyPath])
        #expect(again.status == 0)
        #expect(again.standardError.contains("already exists"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: keyPath)) == original)

        let forced = try MyceliumProcess.run(["generate-keys", "--force", "-k", keyPath])
        #expect(forced.status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: keyPath)) != original)
    }

    @Test("the default key file lives under XDG_DATA_HOME")
    func defaultKeyPath() throws {
        let directory = try TemporaryDirectory()
        let result = try MyceliumProcess.run(["generate-keys"], environment: ["XDG_DATA_HOME": directory.path])
        #expect(result.status == 0)
        #expect(FileManager.default.fileExists(atPath: directory.path + "/mycelium/priv_key.bin"))
    }

    @Test("--version and --help work")
    func versionAndHelp() throws {
        let version = try MyceliumProcess.run(["--version"])
        #expect(version.status == 0)
        #expect(version.standardOutput.contains("0.7"))
        let help = try MyceliumProcess.run(["--help"])
        #expect(help.status == 0)
        for word in ["inspect", "generate-keys", "--peers", "--key-file", "--tcp-listen-port"] {
            #expect(help.standardOutput.contains(word))
        }
    }
}
