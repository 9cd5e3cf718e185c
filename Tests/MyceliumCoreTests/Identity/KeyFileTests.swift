import Foundation
import MyceliumCore
import MyceliumCrypto
import Testing

/// The key file (spec §1): 32 raw bytes, created 0600 in a 0700 directory; loading reads the first 32 bytes.
@Suite("KeyFile")
struct KeyFileTests {
    /// A fresh temporary directory, removed when the test is done.
    final class TemporaryDirectory {
        let path: String

        init() throws {
            let base = FileManager.default.temporaryDirectory.path
            self.path = "\(base)/mycelium-keyfile-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: self.path, withIntermediateDirectories: false)
        }

        deinit {
            try? FileManager.default.removeItem(atPath: self.path)
        }
    }

    static func permissions(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int)
    }

    static func contents(_ path: String) throws -> [UInt8] {
        [UInt8](try #require(FileManager.default.contents(atPath: path)))
    }

    @Test func saveCreatesPrivateFileInPrivateDirectories() throws {
        let directory = try TemporaryDirectory()
        let path = "\(directory.path)/data/mycelium/priv_key.bin"
        let key = try X25519.SecretKey(rawBytes: Array(1...32))
        try KeyFile(path: path).save(key, overwrite: false)

        #expect(try Self.contents(path) == Array(1...32), "exactly the 32 raw bytes, no header")
        #expect(try Self.permissions(path) == 0o600)
        #expect(try Self.permissions("\(directory.path)/data/mycelium") == 0o700)
        #expect(try Self.permissions("\(directory.path)/data") == 0o700)
        #expect(KeyFile(path: path).exists)
    }

    @Test func loadReadsTheFirst32Bytes() throws {
        let directory = try TemporaryDirectory()
        let path = "\(directory.path)/priv_key.bin"
        let bytes = (0..<40).map { UInt8($0 * 3) }
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        let key = try KeyFile(path: path).load()
        #expect(key.rawBytes == Array(bytes.prefix(32)))
    }

    @Test func loadedKeyHasTheVectorIdentity() throws {
        let directory = try TemporaryDirectory()
        let path = "\(directory.path)/priv_key.bin"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(Array(1...32))))
        let identity = NodeIdentity(secretKey: try KeyFile(path: path).load())
        #expect(identity.address.description == "5a6:f0c6:f365:177d:66be:4a2b:d9fd:b59e")
    }

    @Test(arguments: [0, 1, 31])
    func truncatedFileIsATypedError(_ count: Int) throws {
        let directory = try TemporaryDirectory()
        let path = "\(directory.path)/priv_key.bin"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(repeating: 9, count: count)))
        #expect(throws: IdentityError.truncatedKeyFile(path: path, byteCount: count)) {
            try KeyFile(path: path).load()
        }
    }

    @Test func missingFileIsUnreadable() throws {
        let directory = try TemporaryDirectory()
        let path = "\(directory.path)/absent.bin"
        #expect(!KeyFile(path: path).exists)
        do {
            _ = try KeyFile(path: path).load()
            Issue.record("loading a missing file must fail")
        } catch {
            guard case .unreadableKeyFile(let errorPath, let reason) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(errorPath == path)
            #expect(!reason.isEmpty)
        }
    }

    @Test func saveWithoutOverwriteRefusesAnExistingFile() throws {
        let directory = try TemporaryDirectory()
        let path = "\(directory.path)/priv_key.bin"
        let file = KeyFile(path: path)
        try file.save(try X25519.SecretKey(rawBytes: Array(1...32)), overwrite: false)
        #expect(throws: IdentityError.keyFileExists(path: path)) {
            try file.save(try X25519.SecretKey(rawBytes: Array(33...64)), overwrite: false)
        }
        #expect(try Self.contents(path) == Array(1...32), "the existing key is untouched")
    }

    @Test func saveWithOverwriteReplacesTheKeyAndTightensTheMode() throws {
        let directory = try TemporaryDirectory()
        let path = "\(directory.path)/priv_key.bin"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(Array(1...32)),
                                               attributes: [.posixPermissions: 0o644]))
        try KeyFile(path: path).save(try X25519.SecretKey(rawBytes: Array(33...64)), overwrite: true)
        #expect(try Self.contents(path) == Array(33...64))
        #expect(try Self.permissions(path) == 0o600)
    }

    @Test func loadOrCreateIsStableAcrossCalls() throws {
        let directory = try TemporaryDirectory()
        let path = "\(directory.path)/nested/priv_key.bin"
        let file = KeyFile(path: path)
        #expect(!file.exists)
        let created = try file.loadOrCreate()
        #expect(file.exists)
        #expect(try Self.permissions(path) == 0o600)
        let loaded = try file.loadOrCreate()
        let loadedAgain = try KeyFile(path: path).loadOrCreate()
        #expect(created.rawBytes == loaded.rawBytes)
        #expect(created.rawBytes == loadedAgain.rawBytes)
        #expect(try Self.contents(path) == created.rawBytes)
    }

    @Test func loadOrCreateKeepsAnExistingKey() throws {
        let directory = try TemporaryDirectory()
        let path = "\(directory.path)/priv_key.bin"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(Array(33...64))))
        #expect(try KeyFile(path: path).loadOrCreate().rawBytes == Array(33...64))
    }

    @Test func defaultPathHonoursXDGDataHome() {
        #expect(
            KeyFile.defaultPath(environment: ["XDG_DATA_HOME": "/srv/data", "HOME": "/home/alice"])
                == "/srv/data/mycelium/priv_key.bin"
        )
    }

    @Test func defaultPathFallsBackToHome() {
        #expect(KeyFile.defaultPath(environment: ["HOME": "/home/alice"])
            == "/home/alice/.local/share/mycelium/priv_key.bin")
        // The XDG spec says relative (and empty) values are to be ignored.
        #expect(KeyFile.defaultPath(environment: ["XDG_DATA_HOME": "relative/dir", "HOME": "/home/alice"])
            == "/home/alice/.local/share/mycelium/priv_key.bin")
        #expect(KeyFile.defaultPath(environment: ["XDG_DATA_HOME": "", "HOME": "/home/alice"])
            == "/home/alice/.local/share/mycelium/priv_key.bin")
    }
}
