import ServiceLifecycle

/// An adapter server that lets ordinary clients (mail, file, calendar, chat, AI) work across the overlay.
///
/// A gateway is a `Service`: `run()` binds its listeners, serves until graceful shutdown, then closes them and
/// returns. It sees the node only through `GatewayContext` — the `MessageBus`, the node's identity, a store directory
/// of its own, the local accounts and a logger — so the same gateway runs in the node's process or out of process
/// against any node's HTTP API (`mycelium gateway --api URL`).
public protocol Gateway: Service {
    /// The gateway's settings, read from the `[gateways.<name>]` section of the configuration file.
    associatedtype Configuration: Sendable

    /// The short name: the config section is `[gateways.<name>]`, the store directory `state_dir/gateways/<name>`.
    static var name: String { get }

    /// Opens the gateway's store and prepares its listeners; nothing is bound before `run()`.
    init(configuration: Configuration, context: GatewayContext) throws
}

extension Gateway {
    /// The configuration file section this gateway reads.
    public static var configurationSection: String { "gateways.\(Self.name)" }
}
