import ArgumentParser
import MyceliumCore
import MyceliumNode

/// `mycelium routes selected|fallback|queried [--json]` (spec §6.1, upstream `mycelium-cli/src/routes.rs`), against
/// the HTTP API at the root's `--api-addr`. With `--json` the API's answer is printed exactly as received.
struct RoutesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes",
        abstract: "Actions related to routes (selected, fallback, queried).",
        subcommands: [Selected.self, Fallback.self, Queried.self]
    )

    struct Selected: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "selected", abstract: "Print all selected routes.")

        @ParentCommand var root: MyceliumCommand

        @Flag(name: .long, help: "Print selected routes in JSON format.")
        var json = false

        func run() async throws {
            try await RoutesCommand.printRoutes(
                "/api/v1/admin/routes/selected", kind: "selected routes", json: self.json, root: self.root
            )
        }
    }

    struct Fallback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "fallback", abstract: "Print all fallback routes.")

        @ParentCommand var root: MyceliumCommand

        @Flag(name: .long, help: "Print fallback routes in JSON format.")
        var json = false

        func run() async throws {
            try await RoutesCommand.printRoutes(
                "/api/v1/admin/routes/fallback", kind: "fallback routes", json: self.json, root: self.root
            )
        }
    }

    struct Queried: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "queried",
            abstract: "Print the currently queried subnets."
        )

        @ParentCommand var root: MyceliumCommand

        @Flag(name: .long, help: "Print queried subnets in JSON format.")
        var json = false

        func run() async throws {
            let client = AdminAPIClient(address: self.root.node.apiAddr)
            let reply = try await client.get(
                "/api/v1/admin/routes/queried", action: "failed to retrieve queried subnets"
            )
            if self.json { return print(reply.text) }
            var table = TextTable(header: ["Subnet", "Query expiration"])
            for entry in try RoutesCommand.entries(reply) {
                guard let subnet = entry["subnet"]?.stringValue, let expiration = entry["expiration"]?.stringValue
                else { throw AdminAPIClient.Failure(description: "unexpected queried subnet in the API's answer") }
                table.append([subnet, expiration])
            }
            print(table.rendered, terminator: "")
        }
    }

    /// Selected and fallback routes: the raw JSON, or a table of subnet, next hop, metric and seqno.
    static func printRoutes(_ path: String, kind: String, json: Bool, root: MyceliumCommand) async throws {
        let client = AdminAPIClient(address: root.node.apiAddr)
        let reply = try await client.get(path, action: "failed to retrieve \(kind)")
        if json { return print(reply.text) }
        var table = TextTable(header: ["Subnet", "Next Hop", "Metric", "Seq No"])
        for route in try Self.entries(reply) {
            guard let subnet = route["subnet"]?.stringValue, let nextHop = route["nextHop"]?.stringValue,
                let seqno = route["seqno"]?.uint64Value, let metric = Self.metricText(route["metric"])
            else { throw AdminAPIClient.Failure(description: "unexpected route in the API's answer") }
            table.append([subnet, nextHop, metric, String(seqno)])
        }
        print(table.rendered, terminator: "")
    }

    /// A metric as upstream's `Metric` displays: the number, or `infinite`.
    static func metricText(_ value: JSONValue?) -> String? {
        switch value {
        case .string("infinite")?: "infinite"
        case let number?: number.uint64Value.flatMap { $0 <= UInt64(UInt16.max) ? String($0) : nil }
        case nil: nil
        }
    }

    static func entries(_ reply: AdminAPIClient.Reply) throws -> [JSONValue] {
        guard case .array(let entries) = try AdminAPIClient.json(reply) else {
            throw AdminAPIClient.Failure(description: "the API answered with something that is not a list")
        }
        return entries
    }
}
