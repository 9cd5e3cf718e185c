import ArgumentParser
import Foundation
import Logging
import MyceliumCore
import MyceliumGatewayKit
import MyceliumNode

/// `mycelium`: with no subcommand it runs the node; the subcommands mirror upstream's CLI (spec §6.1).
public struct MyceliumCommand: AsyncParsableCommand {
    public static let version = "0.1.0 (wire-compatible with mycelium 0.7.10)"

    public static let configuration = CommandConfiguration(
        commandName: "mycelium",
        abstract: "An end-to-end encrypted IPv6 overlay node, wire-compatible with Mycelium 0.7.",
        version: version,
        subcommands: [
            InspectCommand.self, GenerateKeysCommand.self, MessageCommand.self, PeersCommand.self, RoutesCommand.self,
            UserCommand.self, GatewayCommand.self,
        ]
    )

    @Option(name: [.customShort("k"), .long], help: "The node's secret key file (32 raw bytes).")
    var keyFile: String?

    @Option(name: [.customShort("c"), .long], help: "TOML configuration file.")
    var configFile: String?

    @Flag(name: [.customShort("d"), .long], help: "Log debug messages.")
    var debug = false

    @Flag(name: .long, help: "Log nothing but errors.")
    var silent = false

    @Option(name: .long, help: "Log line format: compact, logfmt or plain.")
    var logFormat: LogFormat = .compact

    @OptionGroup(title: "Node options")
    var node: NodeOptions

    public init() {}

    /// The key file to use: `-k`, else upstream's default location.
    func keyFilePath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        self.keyFile ?? KeyFile.defaultPath(environment: environment)
    }

    /// Flags merged over the configuration file (`-c`, else the default location if it exists).
    func resolvedConfiguration(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigError) -> NodeConfiguration {
        NodeConfiguration(flags: self.node.configuration, file: try self.configFileContents(environment: environment))
    }

    /// The configuration file's settings (`-c`, else the default location if it exists).
    func configFileContents(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigError) -> ConfigFile {
        let path = self.configFile ?? ConfigFile.defaultPath(environment: environment)
        return try ConfigFile.load(path: path, required: self.configFile != nil)
    }

    public func run() async throws {
        var configuration = try self.resolvedConfiguration()
        try configuration.loadTopicConfig()
        let identity = NodeIdentity(secretKey: try KeyFile(path: self.keyFilePath()).loadOrCreate())
        var logger = Logger(label: "mycelium")
        logger.logLevel = self.silent ? .error : (self.debug ? .debug : .info)
        let file = try self.configFileContents()
        let stateDirectory = configuration.resolvedStateDirectory(environment: ProcessInfo.processInfo.environment)
        let node = GatewayNode(publicKey: identity.publicKey)
        try await Node(configuration: configuration, identity: identity, logger: logger).run { bus in
            try GatewayLauncher.services(
                file: file, bus: bus, node: node, stateDirectory: stateDirectory, logger: logger
            )
        }
    }
}

/// Upstream's `--log-format` values.
enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case compact, logfmt, plain
}
