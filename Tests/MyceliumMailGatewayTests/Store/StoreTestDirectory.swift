import Foundation

/// A fresh directory under the system's temporary directory for one test; `remove()` deletes it.
struct StoreTestDirectory {
    let path: String

    init(_ name: String = "StoreTests") throws {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(name)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        self.path = url.path
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: self.path)
    }

    /// The permission bits of a file or directory, or `nil` if it does not exist.
    static func mode(of path: String) -> Int? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let mode = attributes[.posixPermissions] as? NSNumber
        else { return nil }
        return mode.intValue & 0o777
    }
}
