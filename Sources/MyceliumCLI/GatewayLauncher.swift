import Logging
import MyceliumCore
import MyceliumGatewayKit
import MyceliumMailGateway
import ServiceLifecycle

/// Makes the gateway services a configuration enables, for the node's own process (`mycelium`) or for
/// `mycelium gateway --api URL`.
enum GatewayLauncher {
    /// The enabled gateways of `file`, each given `bus` and the shared accounts in `stateDirectory/accounts.sqlite`.
    static func services(
        file: ConfigFile, bus: any MessageBus, node: GatewayNode, stateDirectory: String, logger: Logger
    ) throws -> [any Service] {
        guard let mail = file.mailGateway, mail.isEnabled else { return [] }
        let accounts = try AccountStore(path: self.accountsPath(stateDirectory: stateDirectory))
        let context = GatewayContext(
            bus: bus, node: node, stateDirectory: stateDirectory, accounts: accounts, logger: logger
        )
        let gateway = try MailGateway(configuration: mail, context: context)
        logger.info(
            "mail gateway enabled",
            metadata: [
                "smtp": "\(mail.smtpListen)", "imap": "\(mail.imapListen)", "autoconfig": "\(mail.autoconfigListen)",
                "domain": "\(gateway.autoconfig.domain)",
            ]
        )
        return [gateway]
    }

    /// The accounts every gateway shares.
    static func accountsPath(stateDirectory: String) -> String {
        stateDirectory + "/accounts.sqlite"
    }
}
