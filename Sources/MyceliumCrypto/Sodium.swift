import CSodium

/// libsodium must be initialised once before any other call; `sodium_init` is itself idempotent and thread safe,
/// and a global `let` is initialised exactly once, lazily, on first use.
private let sodiumInitialisation: Int32 = sodium_init()

enum Sodium {
    /// Makes sure libsodium is initialised; throws if it could not be (`sodium_init` returned -1).
    static func ensureInitialised() throws(CryptoError) {
        guard sodiumInitialisation >= 0 else { throw .libraryUnavailable }
    }
}
