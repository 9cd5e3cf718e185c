import ArgumentParser
import Foundation
import MyceliumGatewayKit
import MyceliumNode

/// `mycelium user add|list|remove|passwd`: manages the local accounts the gateways' clients log in with, in
/// `<state_dir>/accounts.sqlite`. The state directory comes from the same configuration the daemon uses (`-c FILE`,
/// `--state-dir`), given before or after `user`.
struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage the local accounts gateway clients log in with.",
        subcommands: [Add.self, List.self, Remove.self, Passwd.self]
    )

    /// Opens `<state_dir>/accounts.sqlite` for the configuration `root` resolves to.
    static func openStore(
        root: MyceliumCommand, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> AccountStore {
        let configuration = try root.resolvedConfiguration(environment: environment)
        let stateDirectory = configuration.resolvedStateDirectory(environment: environment)
        return try AccountStore(path: AccountStore.path(inStateDirectory: stateDirectory))
    }
}
