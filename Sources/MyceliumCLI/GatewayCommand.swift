import ArgumentParser
import Foundation
import Logging
import MyceliumCore
import MyceliumCrypto
import MyceliumGatewayKit
import MyceliumMailGateway
import ServiceLifecycle

/// `mycelium gateway --api URL`: runs the gateways the configuration enables outside the node's process, against any
/// node's HTTP API (a Rust node's too) — the gateways only ever see the `MessageBus`.
/// `mycelium gateway mail autoconfig`: prints the mail account settings.
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Run the enabled gateways against a node's HTTP API, or show a gateway's client settings.",
        subcommands: [Mail.self]
    )

    @ParentCommand var root: MyceliumCommand

    @Option(name: .long, help: "The node's HTTP API, e.g. http://127.0.0.1:8989.")
    var api: String = "http://127.0.0.1:8989"

    func run() async throws {
        let file = try self.root.configFileContents()
        let configuration = try self.root.resolvedConfiguration()
        let stateDirectory = configuration.resolvedStateDirectory(environment: ProcessInfo.processInfo.environment)
        var logger = Logger(label: "mycelium-gateway")
        logger.logLevel = self.root.silent ? .error : (self.root.debug ? .debug : .info)
        let node = try await Self.node(api: self.api)
        let bus = HTTPMessageBus(baseURL: self.api)
        let services = try GatewayLauncher.services(
            file: file, bus: bus, node: node, stateDirectory: stateDirectory, logger: logger
        )
        guard !services.isEmpty else {
            throw ValidationError("no gateway is enabled: add a [gateways.mail] section with enabled = true")
        }
        logger.info("gateways running against \(self.api)", metadata: ["node": "\(node.address)"])
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }

    /// The node behind `api`, from `GET /api/v1/admin`.
    static func node(api: String) async throws -> GatewayNode {
        var root = api
        while root.hasSuffix("/") { root.removeLast() }
        for prefix in ["http://", "HTTP://"] where root.hasPrefix(prefix) { root.removeFirst(prefix.count) }
        guard let address = MyceliumCore.SocketAddress(root) else {
            throw ValidationError("--api must be http://HOST:PORT with an IP address, not \(api)")
        }
        let reply = try await AdminAPIClient(address: address).get("/api/v1/admin", action: "read the node's identity")
        guard let text = try AdminAPIClient.json(reply)["nodePubkey"]?.stringValue,
            let key = try? X25519.PublicKey(hexString: text)
        else {
            throw AdminAPIClient.Failure(description: "the API at \(api) did not name the node's public key")
        }
        return GatewayNode(publicKey: key)
    }
}

extension GatewayCommand {
    /// `mycelium gateway mail …`.
    struct Mail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mail", abstract: "The mail gateway.", subcommands: [Autoconfig.self]
        )
    }
}

extension GatewayCommand.Mail {
    /// `mycelium gateway mail autoconfig [--xml]`: the settings a mail client needs, for this node's key and the
    /// configured listeners.
    struct Autoconfig: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "autoconfig",
            abstract: "Print the mail account settings (or Thunderbird's autoconfig XML) for this node."
        )

        @ParentCommand var gateway: GatewayCommand

        @Flag(name: .long, help: "Print the autoconfig XML the gateway serves.")
        var xml = false

        func run() async throws {
            let root = self.gateway.root
            let file = try root.configFileContents()
            let key = try KeyFile(path: root.keyFilePath()).load().publicKey
            let autoconfig = MailAutoconfig(
                nodeAddress: key.overlayAddress, configuration: file.mailGateway ?? MailGatewayConfiguration()
            )
            print(self.xml ? autoconfig.xml : autoconfig.text, terminator: "")
        }
    }
}
