import Glibc

/// Why the TUN interface could not be set up or used.
public struct TunError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Operation: String, Hashable, Sendable {
        case create = "create"
        case setMTU = "set the MTU of"
        case addAddress = "add the node address to"
        case bringUp = "bring up"
    }

    public var operation: Operation
    public var name: String
    public var errorNumber: Int32

    public init(operation: Operation, name: String, errorNumber: Int32) {
        self.operation = operation
        self.name = name
        self.errorNumber = errorNumber
    }

    public var description: String {
        let reason = String(cString: strerror(self.errorNumber))
        var text = "cannot \(self.operation.rawValue) TUN interface \"\(self.name)\": \(reason)"
        if self.errorNumber == EPERM || self.errorNumber == EACCES {
            text += " (a TUN interface needs CAP_NET_ADMIN: run as root or grant the capability, or start with --no-tun)"
        } else if self.errorNumber == EBUSY {
            text += " (another process holds an interface of that name; pick another with --tun-name)"
        } else if self.errorNumber == ENOENT || self.errorNumber == ENODEV {
            text += " (is /dev/net/tun present? load the tun module, or start with --no-tun)"
        }
        return text
    }
}
