import MyceliumGatewayKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension UserCommand {
    /// Reads a new password from standard input: from a terminal, prompted twice without echo; otherwise the first
    /// line, without its line ending.
    enum PasswordInput {
        /// Most bytes read from a pipe: the longest password plus a CR LF.
        static let maximumLineLength = AccountStore.maximumPasswordLength + 2

        /// Why no password could be read.
        struct Failure: Error, CustomStringConvertible {
            var description: String
        }

        static func read(confirming: Bool) throws -> [UInt8] {
            let password: [UInt8]
            if isatty(STDIN_FILENO) == 1 {
                password = try Self.prompt("Password: ")
                if confirming {
                    guard try Self.prompt("Repeat password: ") == password else {
                        throw Failure(description: "the passwords do not match")
                    }
                }
            } else {
                password = try Self.readLine()
            }
            guard !password.isEmpty else { throw AccountStoreError.passwordEmpty }
            guard password.count <= AccountStore.maximumPasswordLength else {
                throw AccountStoreError.passwordTooLong(maximum: AccountStore.maximumPasswordLength)
            }
            return password
        }

        /// Prints `text` to standard error and reads a line from the terminal with echo off.
        private static func prompt(_ text: String) throws -> [UInt8] {
            writeToStandardError(text)
            var saved = termios()
            guard tcgetattr(STDIN_FILENO, &saved) == 0 else {
                throw Failure(description: "cannot read the terminal settings: \(String(cString: strerror(errno)))")
            }
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            silent.c_lflag |= tcflag_t(ECHONL)
            guard tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent) == 0 else {
                throw Failure(description: "cannot turn off echo: \(String(cString: strerror(errno)))")
            }
            defer { _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved) }
            return try Self.readLine()
        }

        /// Reads standard input up to the first newline (or the end), without the `\n` and a `\r` before it.
        static func readLine() throws -> [UInt8] {
            var line: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 1)
            while true {
                let count = chunk.withUnsafeMutableBytes { readStandardInput($0.baseAddress, 1) }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw Failure(description: "cannot read the password: \(String(cString: strerror(errno)))")
                }
                if count == 0 || chunk[0] == UInt8(ascii: "\n") { break }
                line.append(chunk[0])
                guard line.count <= Self.maximumLineLength else {
                    throw AccountStoreError.passwordTooLong(maximum: AccountStore.maximumPasswordLength)
                }
            }
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            return line
        }

        private static func writeToStandardError(_ text: String) {
            _ = text.utf8CString.withUnsafeBufferPointer { write(STDERR_FILENO, $0.baseAddress, $0.count - 1) }
        }
    }
}

/// `read(2)` on standard input (a free function: inside ``UserCommand/PasswordInput`` `read` names its own method).
private func readStandardInput(_ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(STDIN_FILENO, buffer, count)
}
