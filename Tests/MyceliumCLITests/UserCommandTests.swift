import Foundation
import MyceliumGatewayKit
import Testing

@Suite("mycelium user")
struct UserCommandTests {
    /// Runs `mycelium` with `arguments`, `input` on standard input and an empty default config location.
    private func run(_ arguments: [String], input: String? = nil, home: String) throws -> MyceliumProcess.Result {
        try MyceliumProcess.run(
            arguments,
            environment: ["HOME": home, "XDG_CONFIG_HOME": home + "/config", "XDG_DATA_HOME": home + "/data"],
            input: input.map { Data($0.utf8) })
    }

    @Test("-c CONFIG user add/list/passwd/remove manage <state_dir>/accounts.sqlite, which authenticates")
    func lifecycle() async throws {
        let directory = try TemporaryDirectory()
        let stateDirectory = directory.path + "/state"
        let config = directory.path + "/mycelium.toml"
        try "state_dir = \"\(stateDirectory)\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let home = directory.path

        let added = try self.run(["-c", config, "user", "add", "alice"], input: "s3cret pass\n", home: home)
        #expect(added.status == 0, "\(added.standardError)")
        let path = stateDirectory + "/accounts.sqlite"
        #expect(FileManager.default.fileExists(atPath: path))

        let duplicate = try self.run(["-c", config, "user", "add", "Alice"], input: "other\n", home: home)
        #expect(duplicate.status != 0)
        #expect(duplicate.standardError.contains("already exists"))

        // Options after the subcommand work too; the last line need not end in a newline.
        let bob = try self.run(["user", "add", "bob", "-c", config], input: "bobpw", home: home)
        #expect(bob.status == 0, "\(bob.standardError)")

        let listed = try self.run(["-c", config, "user", "list"], home: home)
        #expect(listed.status == 0)
        let lines = listed.standardOutput.split(separator: "\n")
        #expect(lines.map { $0.split(separator: "\t").first.map(String.init) } == ["alice", "bob"])
        #expect(lines.allSatisfy { $0.split(separator: "\t").count == 2 })

        let store = try AccountStore(path: path)
        #expect(await store.authenticate("alice", password: Array("s3cret pass".utf8)) == "alice")
        #expect(await store.authenticate("alice", password: Array("s3cret pass\n".utf8)) == nil)
        #expect(await store.authenticate("bob", password: Array("bobpw".utf8)) == "bob")

        let changed = try self.run(["-c", config, "user", "passwd", "alice"], input: "new pass\r\n", home: home)
        #expect(changed.status == 0, "\(changed.standardError)")
        #expect(await store.authenticate("alice", password: Array("s3cret pass".utf8)) == nil)
        #expect(await store.authenticate("alice", password: Array("new pass".utf8)) == "alice")

        let removed = try self.run(["--state-dir", stateDirectory, "user", "remove", "bob"], home: home)
        #expect(removed.status == 0, "\(removed.standardError)")
        #expect(await store.authenticate("bob", password: Array("bobpw".utf8)) == nil)
        #expect(try store.list().map(\.name) == ["alice"])

        let missing = try self.run(["-c", config, "user", "remove", "bob"], home: home)
        #expect(missing.status != 0 && missing.standardError.contains("no account named 'bob'"))
        let missingPasswd = try self.run(["-c", config, "user", "passwd", "carol"], input: "x\n", home: home)
        #expect(missingPasswd.status != 0 && missingPasswd.standardError.contains("no account named 'carol'"))
    }

    @Test("bad names and empty passwords are refused with an error on stderr and nothing stored")
    func refusals() throws {
        let directory = try TemporaryDirectory()
        let stateDirectory = directory.path + "/state"
        for name in [".hidden", "-x", "al ice", "a@b", String(repeating: "a", count: 65)] {
            let result = try self.run(
                ["--state-dir", stateDirectory, "user", "add", "--", name], input: "pw\n", home: directory.path)
            #expect(result.status != 0, "\(name)")
            #expect(result.standardError.contains("invalid account name"), "\(name): \(result.standardError)")
        }
        for input in ["", "\n", "\r\n"] {
            let result = try self.run(
                ["--state-dir", stateDirectory, "user", "add", "alice"], input: input, home: directory.path)
            #expect(result.status != 0)
            #expect(result.standardError.contains("must not be empty"), "\(result.standardError)")
        }
        let listed = try self.run(["--state-dir", stateDirectory, "user", "list"], home: directory.path)
        #expect(listed.status == 0 && listed.standardOutput.isEmpty)
    }

    @Test("the state directory defaults to the daemon's ($XDG_DATA_HOME/mycelium)")
    func defaultStateDirectory() throws {
        let directory = try TemporaryDirectory()
        let result = try self.run(["user", "add", "alice"], input: "pw\n", home: directory.path)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(FileManager.default.fileExists(atPath: directory.path + "/data/mycelium/accounts.sqlite"))
    }
}
