import Hummingbird
import HummingbirdTesting
import MyceliumNode
import Testing

@Suite("Prometheus exposition")
struct PrometheusExpositionTests {
    @Test("families get HELP and TYPE once, samples grouped under them, labels sorted")
    func families() {
        let text = PrometheusExposition.render([
            MetricSample(name: "a_total", help: "First", kind: .counter, labels: ["z": "1", "b": "2"], value: 3),
            MetricSample(name: "b", help: "Second", kind: .gauge, value: 0.25),
            MetricSample(name: "a_total", help: "other help is ignored", kind: .gauge, value: 1e20),
        ])
        #expect(
            text == """
                # HELP a_total First
                # TYPE a_total counter
                a_total{b="2",z="1"} 3
                a_total 1e+20
                # HELP b Second
                # TYPE b gauge
                b 0.25

                """
        )
    }

    @Test("label values and help text are escaped; odd values and names stay parseable")
    func escaping() {
        let text = PrometheusExposition.render([
            MetricSample(
                name: "weird-name", help: "back\\slash\nnewline", kind: .gauge,
                labels: ["peer": "tcp://\"x\"\\y\nz", "9bad": "v"], value: .nan
            ),
            MetricSample(name: "weird-name", help: "", kind: .gauge, value: -.infinity),
            MetricSample(name: "up", help: "", kind: .gauge, value: .infinity),
            MetricSample(name: "neg", help: "", kind: .gauge, value: -42),
        ])
        #expect(
            text == #"""
                # HELP weird_name back\\slash\nnewline
                # TYPE weird_name gauge
                weird_name{_bad="v",peer="tcp://\"x\"\\y\nz"} NaN
                weird_name -Inf
                # TYPE up gauge
                up +Inf
                # TYPE neg gauge
                neg -42

                """#
        )
        #expect(PrometheusExposition.render([]) == "")
    }

    @Test("GET /metrics serves text/plain; version=0.0.4 from the node's samples")
    func endpoint() async throws {
        let administration = try FixedNodeAdministration()
        let app = Application(router: MetricsHTTPServer.makeRouter(administration: administration))
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/plain; version=0.0.4")
            #expect(
                String(buffer: response.body) == """
                    # HELP mycelium_router_processed_tlvs Amount of processed TLVs
                    # TYPE mycelium_router_processed_tlvs counter
                    mycelium_router_processed_tlvs{tlv_type="update"} 12
                    mycelium_router_processed_tlvs{tlv_type="hello"} 3
                    # HELP mycelium_peer_manager_known_peers Known peers
                    # TYPE mycelium_peer_manager_known_peers gauge
                    mycelium_peer_manager_known_peers 4

                    """
            )
            let other = try await client.execute(uri: "/api/v1/admin", method: .get)
            #expect(other.status == .notFound)
        }
    }
}
