import Glibc

/// The blocking exchange with a topic's forward socket (spec §5.4, upstream's `forward_socket`): connect to the Unix
/// stream socket, write the message, shut down the write side, read the answer to EOF. Runs on a thread-pool thread.
enum TopicForwardSocket {
    struct Failure: Error {
        var reason: String
    }

    static func exchange(
        _ payload: [UInt8],
        path: String,
        timeout: Duration,
        answerLimit: Int
    ) -> Result<[UInt8], Failure> {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !pathBytes.isEmpty, pathBytes.count < capacity else {
            return .failure(Failure(reason: "socket path is empty or longer than \(capacity - 1) bytes"))
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return .failure(Self.failure("socket")) }
        defer { close(descriptor) }
        var interval = timeval(
            tv_sec: Int(timeout.components.seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000)
        )
        _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { return .failure(Self.failure("connect to \(path)")) }
        var written = 0
        while written < payload.count {
            let count = payload[written...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { return .failure(Self.failure("write")) }
            written += count
        }
        _ = shutdown(descriptor, Int32(SHUT_WR))
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            guard count > 0 else { return .failure(Self.failure("read")) }
            guard answer.count + count <= answerLimit else {
                return .failure(Failure(reason: "answer exceeds \(answerLimit) bytes"))
            }
            answer.append(contentsOf: chunk[..<count])
        }
        return .success(answer)
    }

    private static func failure(_ step: String) -> Failure {
        Failure(reason: "\(step): \(String(cString: strerror(errno)))")
    }
}
