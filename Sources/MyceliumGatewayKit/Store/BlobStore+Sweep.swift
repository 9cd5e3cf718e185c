#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension BlobStore {
    /// Removes every temporary file and every blob not in `keeping`, and returns how many files it removed.
    ///
    /// For crash leftovers: a write interrupted before its rename, or a blob whose database row never committed. Call
    /// it when no write is in flight (at startup, before serving), with every id the database references. Files whose
    /// names are not blob ids are left alone.
    @discardableResult
    public func sweep(keeping: Set<BlobID>) throws(BlobStoreError) -> Int {
        var removed = 0
        for name in try Self.entries(of: self.temporaryDirectory) {
            let path = self.temporaryDirectory + "/" + name
            guard unlink(path) == 0 || errno == ENOENT else { throw Self.failure("unlink", path) }
            removed += 1
        }
        for id in try self.allBlobs() where !keeping.contains(id) {
            try self.remove(id)
            removed += 1
        }
        return removed
    }

    /// Every blob in the store, in id order.
    public func allBlobs() throws(BlobStoreError) -> [BlobID] {
        var blobs: [BlobID] = []
        for directory in try Self.entries(of: self.directory) where Self.isBlobDirectoryName(directory) {
            for name in try Self.entries(of: self.directory + "/" + directory) {
                guard let id = BlobID(name), id.directoryName == directory else { continue }
                blobs.append(id)
            }
        }
        return blobs.sorted()
    }

    private static func isBlobDirectoryName(_ name: String) -> Bool {
        name.utf8.count == 2 && name.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// The names in a directory, without `.` and `..`.
    static func entries(of directory: String) throws(BlobStoreError) -> [String] {
        guard let stream = opendir(directory) else { throw Self.failure("opendir", directory) }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) {
                    String(cString: $0)
                }
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }
}
