import Foundation
import Testing

@Suite("mycelium peers and routes against a live API", .serialized)
struct PeersRoutesCommandTests {
    /// 90061 s shows as `1d 25h 1m 1s`: upstream's `format_seconds` takes hours modulo 60, not 24, and so do we.
    @Test("peers list prints upstream's table")
    func peersTable() async throws {
        try await withLiveAdminAPI(try CLITestAdministration()) { port in
            let result = try await MyceliumProcess.runDetached(["--api-addr", "127.0.0.1:\(port)", "peers", "list"])
            #expect(result.status == 0)
            #expect(result.standardError.isEmpty)
            #expect(
                result.standardOutput == """
                    +----------+----------------------------+---------+------------+-----------+------------+--------------+-----------------+
                    | Protocol | Socket                     | Type    | Connection | Rx total  | Tx total   | Discovered   | Last connection |
                    +----------+----------------------------+---------+------------+-----------+------------+--------------+-----------------+
                    | Tcp      | 192.0.2.6:9651             | Static  | Alive      | 61.65 MiB | 443.01 MiB | 1h 2m 5s     | 1m 2s           |
                    +----------+----------------------------+---------+------------+-----------+------------+--------------+-----------------+
                    | Tcp      | [2a01:4f8:212:fa6::2]:9651 | Inbound | Connecting | 1.50 KiB  | 0.00 B     | 1d 25h 1m 1s | Never connected |
                    +----------+----------------------------+---------+------------+-----------+------------+--------------+-----------------+

                    """
            )
        }
    }

    @Test("peers list --json pretty-prints the PeerStats list")
    func peersJSON() async throws {
        try await withLiveAdminAPI(try CLITestAdministration()) { port in
            let result = try await MyceliumProcess.runDetached(
                ["--api-addr", "127.0.0.1:\(port)", "peers", "list", "--json"]
            )
            #expect(result.status == 0)
            let expected = """
                [
                  {
                    "endpoint": {
                      "proto": "tcp",
                      "addr": {
                        "socket": "192.0.2.6:9651"
                      }
                    },
                    "type": "static",
                    "connectionState": "alive",
                    "txBytes": 464531564,
                    "rxBytes": 64645089,
                    "discovered": 3725,
                    "lastConnected": 62
                  },
                  {
                    "endpoint": {
                      "proto": "tcp",
                      "addr": {
                        "socket": "[2a01:4f8:212:fa6::2]:9651"
                      }
                    },
                    "type": "inbound",
                    "connectionState": "connecting",
                    "txBytes": 0,
                    "rxBytes": 1536,
                    "discovered": 90061,
                    "lastConnected": null
                  }
                ]

                """
            #expect(result.standardOutput == expected)
        }
    }

    @Test("peers add and remove change the node's peers; a refusal is one Error line and exit 1")
    func addAndRemove() async throws {
        let administration = try CLITestAdministration()
        try await withLiveAdminAPI(administration) { port in
            let api = ["--api-addr", "127.0.0.1:\(port)"]
            let added = try await MyceliumProcess.runDetached(
                api + ["peers", "add", "tcp://198.51.100.7:9651", "tcp://[2001:db8::1]:9651"]
            )
            #expect(added.status == 0)
            #expect(added.standardOutput.isEmpty && added.standardError.isEmpty)
            #expect(administration.peerEndpoints.suffix(2) == ["tcp://198.51.100.7:9651", "tcp://[2001:db8::1]:9651"])

            let again = try await MyceliumProcess.runDetached(api + ["peers", "add", "tcp://198.51.100.7:9651"])
            #expect(again.status == 1)
            #expect(
                again.standardError
                    == "Error: failed to add peer tcp://198.51.100.7:9651: the API answered HTTP 409: "
                    + "A peer identified by that endpoint already exists\n"
            )

            let removed = try await MyceliumProcess.runDetached(api + ["peers", "remove", "tcp://[2001:db8::1]:9651"])
            #expect(removed.status == 0)
            #expect(!administration.peerEndpoints.contains("tcp://[2001:db8::1]:9651"))

            let gone = try await MyceliumProcess.runDetached(api + ["peers", "remove", "tcp://[2001:db8::1]:9651"])
            #expect(gone.status == 1)
            #expect(gone.standardError.hasPrefix("Error: failed to remove peer tcp://[2001:db8::1]:9651: the API answered HTTP 404"))

            let bad = try await MyceliumProcess.runDetached(api + ["peers", "add", "192.0.2.1:9651"])
            #expect(bad.status == 1)
            #expect(bad.standardError.hasSuffix("HTTP 400: missing leading protocol identifier\n"))
        }
    }

    @Test("routes selected --json prints the API's JSON as received; the tables match upstream")
    func routes() async throws {
        try await withLiveAdminAPI(try CLITestAdministration()) { port in
            let api = ["--api-addr", "127.0.0.1:\(port)"]
            let hop = CLITestAdministration.nextHop
            let json = try await MyceliumProcess.runDetached(api + ["routes", "selected", "--json"])
            #expect(json.status == 0)
            #expect(
                json.standardOutput
                    == #"[{"subnet":"406:1d77:2438:aa7c::/64","nextHop":"\#(hop)","metric":20,"seqno":0},"#
                    + #"{"subnet":"408:7ba3:3a4d:808a::/64","nextHop":"\#(hop)","metric":"infinite","seqno":7}]"#
                    + "\n"
            )

            let table = try await MyceliumProcess.runDetached(api + ["routes", "selected"])
            #expect(
                table.standardOutput == """
                    +-------------------------+---------------------------------------------------------+----------+--------+
                    | Subnet                  | Next Hop                                                | Metric   | Seq No |
                    +-------------------------+---------------------------------------------------------+----------+--------+
                    | 406:1d77:2438:aa7c::/64 | \(hop) | 20       | 0      |
                    +-------------------------+---------------------------------------------------------+----------+--------+
                    | 408:7ba3:3a4d:808a::/64 | \(hop) | infinite | 7      |
                    +-------------------------+---------------------------------------------------------+----------+--------+

                    """
            )

            let fallback = try await MyceliumProcess.runDetached(api + ["routes", "fallback", "--json"])
            #expect(fallback.standardOutput == "[]\n")

            let queried = try await MyceliumProcess.runDetached(api + ["routes", "queried"])
            #expect(
                queried.standardOutput == """
                    +-------------------------+------------------+
                    | Subnet                  | Query expiration |
                    +-------------------------+------------------+
                    | 503:5478:df06:d79a::/64 | 37               |
                    +-------------------------+------------------+

                    """
            )
        }
    }

    @Test("an unreachable API is one Error line on stderr and exit 1", arguments: [
        ["peers", "list"], ["peers", "add", "tcp://192.0.2.1:9651"], ["routes", "queried", "--json"],
    ])
    func unreachable(verb: [String]) async throws {
        let result = try await MyceliumProcess.runDetached(["--api-addr", "127.0.0.1:1"] + verb)
        #expect(result.status == 1)
        #expect(result.standardOutput.isEmpty)
        let lines = result.standardError.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("Error: ") == true)
        #expect(result.standardError.contains("could not reach the API at http://127.0.0.1:1"))
    }
}
