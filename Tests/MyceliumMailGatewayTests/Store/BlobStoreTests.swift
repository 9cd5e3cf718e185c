import Foundation
import MyceliumGatewayKit
import Testing

@Suite("BlobStore")
struct BlobStoreTests {
    static func bytes(_ count: Int, seed: UInt8 = 1) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(seed)) }
    }

    @Test("write, read and size round-trip; files and directories are private")
    func roundTrip() throws {
        let directory = try StoreTestDirectory("BlobStore")
        defer { directory.remove() }
        let store = try BlobStore(directory: directory.path + "/blobs")
        let small = Self.bytes(10 * 1024)
        let id = try store.write(small)
        #expect(try store.read(id) == small)
        #expect(try store.size(id) == small.count)
        let empty = try store.write([UInt8]())
        #expect(try store.read(empty) == [])
        // A non-contiguous collection.
        let mapped = try store.write((0..<300).lazy.map { UInt8(truncatingIfNeeded: $0) })
        #expect(try store.read(mapped) == (0..<300).map { UInt8(truncatingIfNeeded: $0) })
        let large = Self.bytes(3 << 20, seed: 9)
        let largeID = try store.write(large)
        #expect(try store.read(largeID) == large)
        #expect(id != empty && empty != mapped)
        let path = store.path(of: id)
        #expect(path.hasPrefix(directory.path + "/blobs/" + String(id.rawValue.prefix(2)) + "/"))
        #expect(StoreTestDirectory.mode(of: path) == 0o600)
        #expect(StoreTestDirectory.mode(of: directory.path + "/blobs") == 0o700)
        #expect(StoreTestDirectory.mode(of: directory.path + "/blobs/" + String(id.rawValue.prefix(2))) == 0o700)
        #expect(try store.allBlobs() == [id, empty, mapped, largeID].sorted())
    }

    @Test("link gives a second name that survives removing the first")
    func link() throws {
        let directory = try StoreTestDirectory("BlobStore")
        defer { directory.remove() }
        let store = try BlobStore(directory: directory.path)
        let bytes = Self.bytes(5000)
        let original = try store.write(bytes)
        let copy = try store.link(original)
        #expect(copy != original)
        try store.remove(original)
        #expect(!store.contains(original))
        #expect(try store.read(copy) == bytes)
        let batch = try store.link([copy, copy])
        #expect(batch.count == 2)
        #expect(Set(batch + [copy]).count == 3)
        for id in batch { #expect(try store.read(id) == bytes) }
        // Linking a missing blob fails and leaves nothing.
        let before = try store.allBlobs()
        #expect(throws: BlobStoreError.notFound(original)) { _ = try store.link([copy, original]) }
        #expect(try store.allBlobs() == before)
    }

    @Test("remove is idempotent; reading a missing blob is notFound")
    func removeMissing() throws {
        let directory = try StoreTestDirectory("BlobStore")
        defer { directory.remove() }
        let store = try BlobStore(directory: directory.path)
        let id = try store.write([1, 2, 3])
        try store.remove(id)
        try store.remove(id)
        #expect(throws: BlobStoreError.notFound(id)) { _ = try store.read(id) }
        #expect(throws: BlobStoreError.notFound(id)) { _ = try store.size(id) }
    }

    @Test("reading more than the limit is refused")
    func readLimit() throws {
        let directory = try StoreTestDirectory("BlobStore")
        defer { directory.remove() }
        let store = try BlobStore(directory: directory.path, maximumReadSize: 100)
        let id = try store.write(Self.bytes(101))
        #expect(throws: BlobStoreError.tooLarge(id, size: 101, limit: 100)) { _ = try store.read(id) }
    }

    @Test("sweep removes temporary files and unreferenced blobs, keeps the rest and foreign files")
    func sweep() throws {
        let directory = try StoreTestDirectory("BlobStore")
        defer { directory.remove() }
        let store = try BlobStore(directory: directory.path)
        let kept = try store.write(Self.bytes(10))
        let orphan = try store.write(Self.bytes(20))
        let keptLink = try store.link(kept)
        let temporary = directory.path + "/tmp/" + BlobID.random().rawValue
        #expect(FileManager.default.createFile(atPath: temporary, contents: Data([1, 2])))
        let foreign = directory.path + "/README"
        #expect(FileManager.default.createFile(atPath: foreign, contents: Data([1])))
        let removed = try store.sweep(keeping: [kept, keptLink])
        #expect(removed == 2)
        #expect(try store.allBlobs() == [kept, keptLink].sorted())
        #expect(!FileManager.default.fileExists(atPath: temporary))
        #expect(FileManager.default.fileExists(atPath: foreign))
        #expect(!store.contains(orphan))
        #expect(try store.read(kept) == Self.bytes(10))
    }

    @Test("blob ids are validated: only lowercase hex of the right length")
    func blobIDValidation() {
        #expect(BlobID(String(repeating: "a", count: BlobID.length)) != nil)
        #expect(BlobID(String(repeating: "0", count: BlobID.length - 1)) == nil)
        #expect(BlobID(String(repeating: "A", count: BlobID.length)) == nil)
        #expect(BlobID("../" + String(repeating: "a", count: BlobID.length - 3)) == nil)
        #expect(BlobID(String(repeating: "a", count: BlobID.length - 1) + "/") == nil)
        #expect(BlobID("") == nil)
        let random = BlobID.random()
        #expect(BlobID(random.rawValue) == random)
        #expect(BlobID.random() != random)
    }
}
