#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MyceliumCrypto

/// The node's secret key on disk (spec §1): exactly 32 raw bytes, the unclamped X25519 scalar.
///
/// Files are created with mode 0600 in a directory created with mode 0700 (upstream uses 0640; a secret key has no
/// business being group-readable).
public struct KeyFile: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Upstream's default location on Linux: `$XDG_DATA_HOME/mycelium/priv_key.bin`, falling back to
    /// `~/.local/share/mycelium/priv_key.bin`.
    public static func defaultPath(environment: [String: String]) -> String {
        "\(dataDirectory(environment: environment))/mycelium/priv_key.bin"
    }

    /// `$XDG_DATA_HOME` if set to an absolute path, else `$HOME/.local/share`.
    public static func dataDirectory(environment: [String: String]) -> String {
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") { return xdg }
        return "\(environment["HOME"] ?? "/root")/.local/share"
    }

    public var exists: Bool { access(self.path, F_OK) == 0 }

    /// Reads the key: the first 32 bytes of the file.
    public func load() throws(IdentityError) -> X25519.SecretKey {
        let descriptor = open(self.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .unreadableKeyFile(path: self.path, reason: Self.lastError()) }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: X25519.keyByteCount)
        var total = 0
        while total < bytes.count {
            let count = bytes.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress.map { $0 + total }, buffer.count - total)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadableKeyFile(path: self.path, reason: Self.lastError())
            }
            if count == 0 { break }
            total += count
        }
        guard total == X25519.keyByteCount else { throw .truncatedKeyFile(path: self.path, byteCount: total) }
        do {
            return try X25519.SecretKey(rawBytes: bytes)
        } catch {
            throw .truncatedKeyFile(path: self.path, byteCount: total)
        }
    }

    /// Writes `key`, creating missing parent directories (mode 0700). The bytes are on disk when this returns.
    ///
    /// - Parameter overwrite: replace an existing file; without it an existing file is an error.
    public func save(_ key: X25519.SecretKey, overwrite: Bool) throws(IdentityError) {
        try Self.createDirectories(for: self.path)
        var flags = O_WRONLY | O_CREAT | O_CLOEXEC
        flags |= overwrite ? O_TRUNC : O_EXCL
        let descriptor = open(self.path, flags, 0o600)
        guard descriptor >= 0 else {
            if errno == EEXIST { throw .keyFileExists(path: self.path) }
            throw .unwritableKeyFile(path: self.path, reason: Self.lastError())
        }
        defer { close(descriptor) }
        // An overwritten file keeps its old mode; make sure it is private.
        _ = fchmod(descriptor, 0o600)
        let written = key.rawBytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == X25519.keyByteCount, fsync(descriptor) == 0 else {
            throw .unwritableKeyFile(path: self.path, reason: Self.lastError())
        }
    }

    /// Loads the key, or creates and saves a new one if the file does not exist (what the daemon does at start).
    public func loadOrCreate() throws(IdentityError) -> X25519.SecretKey {
        if self.exists { return try self.load() }
        let key = X25519.SecretKey.generate()
        do {
            try self.save(key, overwrite: false)
        } catch .keyFileExists {
            return try self.load()  // another process created it first
        }
        return key
    }

    private static func createDirectories(for path: String) throws(IdentityError) {
        var components = path.split(separator: "/", omittingEmptySubsequences: true).dropLast()
        var current = path.hasPrefix("/") ? "" : "."
        while let component = components.first {
            components = components.dropFirst()
            current += "/" + component
            if mkdir(current, 0o700) != 0 && errno != EEXIST {
                throw .unwritableKeyFile(path: path, reason: "\(current): \(lastError())")
            }
        }
    }

    private static func lastError() -> String {
        String(cString: strerror(errno))
    }
}
