import ArgumentParser
import Foundation
import MyceliumGatewayKit

extension UserCommand {
    /// `mycelium user add NAME`: creates an account; the password is read from standard input.
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an account (the password is read from standard input).")

        @ParentCommand var root: MyceliumCommand

        @Argument(help: "The account name: a-z, 0-9, '.', '_', '-' (up to 64 characters).")
        var name: String

        func run() throws {
            let canonical = try AccountStore.canonicalName(self.name)
            let store = try UserCommand.openStore(root: self.root)
            guard !store.contains(canonical) else { throw AccountStoreError.exists(canonical) }
            let password = try PasswordInput.read(confirming: true)
            try store.add(canonical, password: password)
            print("Created account \(canonical)")
        }
    }

    /// `mycelium user list`: one account per line, with its creation time.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the accounts.")

        @ParentCommand var root: MyceliumCommand

        func run() throws {
            for account in try UserCommand.openStore(root: self.root).list() {
                print("\(account.name)\t\(account.created.formatted(.iso8601))")
            }
        }
    }

    /// `mycelium user remove NAME`: deletes an account.
    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an account.")

        @ParentCommand var root: MyceliumCommand

        @Argument(help: "The account name.")
        var name: String

        func run() throws {
            let canonical = try AccountStore.canonicalName(self.name)
            try UserCommand.openStore(root: self.root).remove(canonical)
            print("Removed account \(canonical)")
        }
    }

    /// `mycelium user passwd NAME`: sets a new password, read from standard input.
    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change an account's password (read from standard input).")

        @ParentCommand var root: MyceliumCommand

        @Argument(help: "The account name.")
        var name: String

        func run() throws {
            let canonical = try AccountStore.canonicalName(self.name)
            let store = try UserCommand.openStore(root: self.root)
            guard store.contains(canonical) else { throw AccountStoreError.noSuchUser(canonical) }
            let password = try PasswordInput.read(confirming: true)
            try store.setPassword(canonical, password: password)
            print("Changed the password of \(canonical)")
        }
    }
}
