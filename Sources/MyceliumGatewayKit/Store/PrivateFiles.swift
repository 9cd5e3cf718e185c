#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// POSIX helpers for the gateways' private state: directories are 0700, files 0600, and durability means fsync of
/// the file and of the directory that names it.
package enum PrivateFiles {
    /// Creates `directory` and its missing ancestors with mode 0700; an existing directory is left as it is.
    /// Returns `nil` on success, otherwise why it failed.
    package static func createDirectory(_ directory: String) -> String? {
        var missing: [String] = []
        var current = directory
        while !current.isEmpty, current != "/", current != "." {
            var status = stat()
            if stat(current, &status) == 0 {
                guard status.st_mode & S_IFMT == S_IFDIR else { return "\(current) is not a directory" }
                break
            }
            missing.append(current)
            current = Self.parent(of: current)
        }
        for component in missing.reversed() {
            if mkdir(component, mode_t(0o700)) != 0 {
                let error = errno
                guard error == EEXIST else { return "cannot create \(component): \(Self.text(of: error))" }
                continue
            }
            // mkdir's mode is filtered by the umask; set it exactly.
            guard chmod(component, mode_t(0o700)) == 0 else {
                return "cannot set \(component) to 0700: \(Self.lastErrorText())"
            }
        }
        return nil
    }

    /// The directory part of `path` (`"."` for a bare name, `"/"` for the root).
    package static func parent(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        let parent = trimmed[..<slash]
        return parent.isEmpty ? "/" : String(parent)
    }

    /// Creates the file if missing and restricts it to mode 0600. Returns `nil` on success, otherwise why it failed.
    package static func createPrivateFile(_ path: String) -> String? {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, mode_t(0o600))
        guard descriptor >= 0 else { return "cannot open \(path): \(Self.lastErrorText())" }
        defer { _ = close(descriptor) }
        guard fchmod(descriptor, mode_t(0o600)) == 0 else {
            return "cannot restrict \(path) to 0600: \(Self.lastErrorText())"
        }
        return nil
    }

    /// Restricts an existing file to mode 0600; a missing file is fine. Returns `nil` on success.
    package static func restrictIfPresent(_ path: String) -> String? {
        if chmod(path, mode_t(0o600)) == 0 || errno == ENOENT { return nil }
        return "cannot restrict \(path) to 0600: \(Self.lastErrorText())"
    }

    /// fsyncs a directory, so the names created or renamed in it are durable. Returns `nil` on success.
    package static func syncDirectory(_ directory: String) -> String? {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return "cannot open \(directory): \(Self.lastErrorText())" }
        defer { _ = close(descriptor) }
        guard fsync(descriptor) == 0 else { return "cannot fsync \(directory): \(Self.lastErrorText())" }
        return nil
    }

    package static func lastErrorText() -> String {
        Self.text(of: errno)
    }

    package static func text(of error: Int32) -> String {
        String(cString: strerror(error))
    }
}
