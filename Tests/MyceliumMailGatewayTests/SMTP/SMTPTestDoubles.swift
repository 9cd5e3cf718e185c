import Foundation
import Logging
import MyceliumGatewayKit
import NIOCore
import NIOPosix

@testable import MyceliumMailGateway

/// Records what the SMTP server submits; refuses recipients whose local part is `nobody`.
actor RecordingSubmission: MailSubmission {
    private(set) var mails: [SubmittedMail] = []
    private(set) var checked: [MailAddress] = []

    func check(recipient: MailAddress, from user: String) async -> MailRejection? {
        self.checked.append(recipient)
        guard recipient.localPart != "nobody" else {
            return MailRejection(code: 550, enhancedStatus: "5.1.1", text: "No such user here")
        }
        return nil
    }

    func submit(_ mail: SubmittedMail) async throws(MailRejection) {
        self.mails.append(mail)
    }
}

/// Accepts user `test` with password `test`.
struct TestAuthenticator: MailAuthenticator {
    func authenticate(user: String, password: [UInt8], client: SocketAddress?) async -> String? {
        user == "test" && password == Array("test".utf8) ? "test" : nil
    }
}

enum SMTPTestServer {
    static let configuration = SMTPServer.Configuration(hostName: "gw.test", maximumMessageSize: 200_000)

    static func makeServer(_ submission: RecordingSubmission) -> SMTPServer {
        SMTPServer(
            configuration: Self.configuration, authenticator: TestAuthenticator(), submission: submission,
            logger: Logger(label: "smtp-test"))
    }

    /// Runs an SMTP server on 127.0.0.1 (a free port) around `body`.
    static func withServer(
        _ body: (_ port: Int, _ submission: RecordingSubmission) async throws -> Void
    ) async throws {
        let submission = RecordingSubmission()
        let server = Self.makeServer(submission)
        let listener = ConnectionListener(
            name: "smtp", configuration: .init(host: "127.0.0.1", port: 0, overloadReply: SMTPServer.overloadReply),
            logger: Logger(label: "smtp-test"))
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await server.run(listener: listener) { address in continuation.yield(address.port ?? 0) }
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else { throw TestFailure("server did not bind") }
            do {
                try await body(port, submission)
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }

    /// Connects, writes `bytes` in one go, and reads until the server closes the connection.
    static func converse(port: Int, sending bytes: [UInt8]) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(bytes: bytes))
            var received = ByteBuffer()
            for try await var chunk in inbound { received.writeBuffer(&chunk) }
            return String(buffer: received)
        }
    }

    /// Runs a program (through `timeout 60`), returning its exit status and combined output.
    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let outputURL = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-test-\(UUID()).out")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputURL) }
        let handle = try FileHandle(forWritingTo: outputURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["timeout", "60"] + arguments
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { process in continuation.resume(returning: process.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        try handle.close()
        let output = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        return (status, output)
    }

    /// Whether `tool` is on the PATH.
    static func has(_ tool: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
