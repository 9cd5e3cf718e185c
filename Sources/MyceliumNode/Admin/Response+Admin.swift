import MyceliumCore
import Hummingbird

extension Response {
    /// A JSON body, compact like axum's `Json` (serde_json without whitespace).
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: value.compactText))
        )
    }

    /// A `text/plain` body, like axum's `(StatusCode, String)` responses; no body at all for `nil`.
    static func text(_ text: String?, status: HTTPResponse.Status) -> Response {
        guard let text else { return Response(status: status) }
        return Response(
            status: status,
            headers: [.contentType: "text/plain; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text))
        )
    }

    /// The reply for a refused admin request.
    static func failure(_ error: AdminAPIError) -> Response {
        let (status, body) = error.http
        return .text(body, status: status)
    }
}
