/// A JSON document that parsed but does not have the shape an API object needs.
public struct JSONShapeError: Error, Hashable, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
