/// UDP header layout.
enum UDPLayout {
    static let headerByteCount = 8
    static let lengthOffset = 4
    static let checksumOffset = 6
}
