#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Immutable blobs (message bodies, attachments) as files under one private directory: blob `ab12…` is the file
/// `ab/ab12…`. A write goes to a temporary file in `tmp/`, is fsync'd, renamed into place and the directory fsync'd, so
/// a blob is durable when `write` returns and a crash leaves at most a temporary file. Copies are hard links (`link`).
///
/// A blob's row in a database should be committed after `write` returns, and the blob removed after the row's deletion
/// committed; `sweep(keeping:)` (at startup) removes what a crash left between the two.
///
/// The methods do blocking file I/O: call them from a thread pool or a database queue, not for long on the cooperative
/// pool.
public final class BlobStore: Sendable {
    /// The store's root directory.
    public let directory: String
    /// The largest blob `read` loads into memory, in bytes.
    public let maximumReadSize: Int

    /// The subdirectory of temporary files being written.
    static let temporaryDirectoryName = "tmp"
    /// Bytes handed to one `write(2)` call at most.
    static let writeChunkSize = 1 << 20

    /// Opens (creating with mode 0700 if needed) the store in `directory`.
    public init(directory: String, maximumReadSize: Int = 1 << 30) throws(BlobStoreError) {
        self.directory = directory
        self.maximumReadSize = maximumReadSize
        for path in [directory, self.temporaryDirectory] {
            if let reason = PrivateFiles.createDirectory(path) { throw .cannotOpen(path: path, reason: reason) }
        }
    }

    var temporaryDirectory: String { self.directory + "/" + Self.temporaryDirectoryName }

    func subdirectory(of id: BlobID) -> String { self.directory + "/" + id.directoryName }

    /// The file of a blob (for logs and tests; never read it behind the store's back).
    public func path(of id: BlobID) -> String { self.subdirectory(of: id) + "/" + id.rawValue }

    // MARK: Writing

    /// Stores the bytes as a new blob; it is on disk (file and directory fsync'd) when this returns.
    public func write(_ bytes: some Collection<UInt8>) throws(BlobStoreError) -> BlobID {
        let id = BlobID.random()
        let temporary = self.temporaryDirectory + "/" + id.rawValue
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(0o600))
        guard descriptor >= 0 else { throw Self.failure("create", temporary) }
        var closed = false
        defer { if !closed { _ = close(descriptor) } }
        do throws(BlobStoreError) {
            var failure: BlobStoreError?? = bytes.withContiguousStorageIfAvailable { buffer in
                Self.writeAll(UnsafeRawBufferPointer(buffer), to: descriptor, path: temporary)
            }
            if failure == nil {
                failure = Array(bytes).withUnsafeBytes { buffer in
                    Self.writeAll(buffer, to: descriptor, path: temporary)
                }
            }
            if let failure = failure ?? nil { throw failure }
            guard fsync(descriptor) == 0 else { throw Self.failure("fsync", temporary) }
            closed = true
            guard close(descriptor) == 0 else { throw Self.failure("close", temporary) }
            try self.place(temporary, as: id)
        } catch {
            _ = unlink(temporary)
            throw error
        }
        return id
    }

    /// Gives the blob a second name (a hard link to the same bytes) and returns it; durable when this returns.
    public func link(_ id: BlobID) throws(BlobStoreError) -> BlobID {
        let new = try self.linkWithoutSync(id)
        do {
            try self.syncDirectory(self.subdirectory(of: new))
        } catch {
            _ = unlink(self.path(of: new))
            throw error
        }
        return new
    }

    /// `link` for many blobs, syncing each directory once; on failure none of the new names is left.
    public func link(_ ids: [BlobID]) throws(BlobStoreError) -> [BlobID] {
        var created: [BlobID] = []
        created.reserveCapacity(ids.count)
        do {
            for id in ids { created.append(try self.linkWithoutSync(id)) }
            for directory in Set(created.map(\.directoryName)) {
                try self.syncDirectory(self.directory + "/" + directory)
            }
        } catch {
            for id in created { _ = unlink(self.path(of: id)) }
            throw error
        }
        return created
    }

    /// Removes the blob's name (other names of the same bytes stay); a missing blob is fine.
    public func remove(_ id: BlobID) throws(BlobStoreError) {
        let path = self.path(of: id)
        guard unlink(path) == 0 || errno == ENOENT else { throw Self.failure("unlink", path) }
    }

    // MARK: Reading

    /// The blob's bytes.
    public func read(_ id: BlobID) throws(BlobStoreError) -> [UInt8] {
        let path = self.path(of: id)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { throw .notFound(id) }
            throw Self.failure("open", path)
        }
        defer { _ = close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw Self.failure("stat", path) }
        let size = Int(status.st_size)
        guard size <= self.maximumReadSize else { throw .tooLarge(id, size: size, limit: self.maximumReadSize) }
        var failure: BlobStoreError?
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = 0
            while count < size {
                let got = systemRead(descriptor, buffer.baseAddress.map { $0 + count }, size - count)
                if got < 0 {
                    if errno == EINTR { continue }
                    failure = Self.failure("read", path)
                    return
                }
                if got == 0 { return }  // shorter than at fstat: the blob is immutable, so this is a damaged file
                count += got
            }
        }
        if let failure { throw failure }
        guard bytes.count == size else {
            throw .ioFailed(operation: "read", path: path, reason: "file shorter than its size")
        }
        return bytes
    }

    /// The blob's size in bytes.
    public func size(_ id: BlobID) throws(BlobStoreError) -> Int {
        let path = self.path(of: id)
        var status = stat()
        guard stat(path, &status) == 0 else {
            if errno == ENOENT { throw .notFound(id) }
            throw Self.failure("stat", path)
        }
        return Int(status.st_size)
    }

    /// Whether the blob exists.
    public func contains(_ id: BlobID) -> Bool {
        var status = stat()
        return stat(self.path(of: id), &status) == 0
    }

    // MARK: Helpers

    /// Renames a written temporary file to the blob's name and makes the name durable.
    private func place(_ temporary: String, as id: BlobID) throws(BlobStoreError) {
        let subdirectory = self.subdirectory(of: id)
        let created = try self.ensureSubdirectory(subdirectory)
        let destination = self.path(of: id)
        guard rename(temporary, destination) == 0 else { throw Self.failure("rename", destination) }
        do {
            try self.syncDirectory(subdirectory)
            if created { try self.syncDirectory(self.directory) }
        } catch {
            _ = unlink(destination)
            throw error
        }
    }

    private func linkWithoutSync(_ id: BlobID) throws(BlobStoreError) -> BlobID {
        let new = BlobID.random()
        let subdirectory = self.subdirectory(of: new)
        if try self.ensureSubdirectory(subdirectory) { try self.syncDirectory(self.directory) }
        let source = self.path(of: id)
        guard systemLink(source, self.path(of: new)) == 0 else {
            if errno == ENOENT { throw .notFound(id) }
            throw Self.failure("link", source)
        }
        return new
    }

    /// Creates a blob subdirectory if missing; returns whether it did.
    private func ensureSubdirectory(_ path: String) throws(BlobStoreError) -> Bool {
        if mkdir(path, mode_t(0o700)) == 0 {
            _ = chmod(path, mode_t(0o700))
            return true
        }
        guard errno == EEXIST else { throw Self.failure("mkdir", path) }
        return false
    }

    private func syncDirectory(_ path: String) throws(BlobStoreError) {
        if let reason = PrivateFiles.syncDirectory(path) {
            throw .ioFailed(operation: "fsync", path: path, reason: reason)
        }
    }

    /// Writes the whole buffer; returns the failure, if any.
    private static func writeAll(
        _ buffer: UnsafeRawBufferPointer, to descriptor: Int32, path: String
    ) -> BlobStoreError? {
        guard let base = buffer.baseAddress else { return nil }
        var offset = 0
        while offset < buffer.count {
            let wrote = systemWrite(descriptor, base + offset, min(buffer.count - offset, Self.writeChunkSize))
            if wrote < 0 {
                if errno == EINTR { continue }
                return Self.failure("write", path)
            }
            offset += wrote
        }
        return nil
    }

    static func failure(_ operation: String, _ path: String) -> BlobStoreError {
        .ioFailed(operation: operation, path: path, reason: PrivateFiles.lastErrorText())
    }
}

// `read`, `write` and `link` are also method names of the store; these reach the system calls.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutablePointer<UInt8>?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}

private func systemLink(_ source: String, _ destination: String) -> Int32 {
    link(source, destination)
}
