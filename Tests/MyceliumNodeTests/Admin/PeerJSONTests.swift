import MyceliumCore
import MyceliumNode
import Testing

@Suite("Peer JSON shapes")
struct PeerJSONTests {
    @Test(
        "endpoints round-trip through upstream's serde shape; the pre-0.7.6 shape is read too",
        arguments: ["tcp://192.0.2.1:9651", "quic://[2a01::2]:9651", "tls://[fe80::1%eth0]:9651", "vsock://3:5000",
                    "tcp://node.example.org:9651"]
    )
    func endpointRoundTrip(text: String) throws {
        let endpoint = try PeerEndpoint(parsing: text)
        #expect(try PeerEndpoint(json: endpoint.jsonValue) == endpoint)
    }

    @Test("a Rust node's PeerStats, old and new endpoint shapes, decode")
    func rustPeerStats() throws {
        let new = try JSONParser.parse(Array(
            #"{"endpoint":{"proto":"tcp","addr":{"socket":"[2a01:4f8:221:1e0b::2]:9651"}},"type":"static","#
                .utf8
        ) + Array(#""connectionState":"alive","txBytes":1,"rxBytes":2,"discovered":3,"lastConnected":null}"#.utf8))
        let peer = try PeerStatus(json: new)
        #expect(peer.endpoint.description == "tcp://[2a01:4f8:221:1e0b::2]:9651")
        #expect(peer.lastConnected == nil)
        #expect(peer.jsonValue == new)

        let old = try JSONParser.parse(Array(
            #"{"endpoint":{"proto":"quic","socketAddr":"188.40.132.242:9651"},"type":"inbound","#.utf8
        ) + Array(#""connectionState":"dead","txBytes":0,"rxBytes":0,"discovered":0,"lastConnected":5}"#.utf8))
        #expect(try PeerStatus(json: old).endpoint.description == "quic://188.40.132.242:9651")

        for bad in [#"{"endpoint":{"proto":"udp","addr":{"socket":"1.2.3.4:1"}}}"#, #"{"endpoint":{"proto":"tcp"}}"#] {
            #expect(throws: JSONShapeError.self) { try PeerStatus(json: try JSONParser.parse(Array(bad.utf8))) }
        }
    }
}
