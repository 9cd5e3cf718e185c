import Foundation
import Synchronization

/// Runs a real client tool (swaks, curl, python3, mbsync, fetchmail, neomutt…) found on `PATH`, with a time limit.
enum ToolProcess {
    struct Result {
        var status: Int32
        var output: String
        var error: String
        var timedOut: Bool

        var succeeded: Bool { self.status == 0 && !self.timedOut }
        /// Everything the tool printed, for failure messages.
        var transcript: String { "exit \(self.status)\(self.timedOut ? " (timed out)" : "")\n\(self.output)\n\(self.error)" }
    }

    /// The tool's path, or `nil` if it is not installed.
    static func which(_ tool: String) -> String? {
        for directory in ["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"] {
            let path = directory + "/" + tool
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Runs `arguments[0]` (a path, or a tool name looked up with `which`) and waits up to `timeout`.
    static func run(
        _ arguments: [String], input: String? = nil, environment: [String: String] = [:],
        directory: String? = nil, timeout: Duration = .seconds(60)
    ) throws -> Result {
        let process = Process()
        let tool = arguments[0]
        process.executableURL = URL(fileURLWithPath: tool.hasPrefix("/") ? tool : (Self.which(tool) ?? tool))
        process.arguments = Array(arguments.dropFirst())
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { $1 }
        process.environment = merged
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let output = Pipe()
        let error = Pipe()
        let inputPipe = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = inputPipe
        try process.run()
        if let input { inputPipe.fileHandleForWriting.write(Data(input.utf8)) }
        try inputPipe.fileHandleForWriting.close()
        let timedOut = TimeoutFlag()
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [weak process] in
            guard let process, process.isRunning else { return }
            timedOut.set()
            process.terminate()
        }
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, output: String(decoding: outData, as: UTF8.self),
            error: String(decoding: errData, as: UTF8.self), timedOut: timedOut.value
        )
    }
}

/// Set once from the timer queue, read after the process ended.
private final class TimeoutFlag: Sendable {
    private let flag = Mutex(false)
    func set() { self.flag.withLock { $0 = true } }
    var value: Bool { self.flag.withLock { $0 } }
}
