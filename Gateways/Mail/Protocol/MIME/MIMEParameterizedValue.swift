/// A structured MIME field value `value *(";" name "=" value)`: `Content-Type` (RFC 2045 §5.1) and
/// `Content-Disposition` (RFC 2183 §2), parsed leniently, with RFC 2231 §3 continuations merged.
struct MIMEParameterizedValue: Sendable, Equatable {
    /// At most this many parameters are kept.
    static let maxParameters = 64

    /// The main value as written (`text/plain`, `attachment`), `nil` when empty.
    var value: [UInt8]?
    /// Parameters in order, names as written (continuations merged, see `mergeContinuations`).
    var parameters: [(name: [UInt8], value: [UInt8])]

    static func == (lhs: MIMEParameterizedValue, rhs: MIMEParameterizedValue) -> Bool {
        lhs.value == rhs.value && lhs.parameters.elementsEqual(rhs.parameters) { $0.name == $1.name && $0.value == $1.value }
    }

    /// The value of parameter `name` (case-insensitive, ASCII lowercase `name`).
    func parameter(_ name: String) -> [UInt8]? {
        let wanted = Array(name.utf8)
        return self.parameters.first { $0.name.map(MIMEHeader.lower) == wanted }?.value
    }

    /// Parses `bytes` (an unfolded field value).
    init(parsing bytes: [UInt8]) {
        var scanner = MIMEScanner(bytes)
        scanner.skipCFWS()
        // RFC 2045 §5.1: type "/" subtype — read everything up to the first ";" that is not whitespace or a comment.
        var main: [UInt8] = []
        while let byte = scanner.peek, byte != UInt8(ascii: ";") {
            if byte == UInt8(ascii: "(") || byte == 32 || byte == 9 {
                scanner.skipCFWS()
                continue
            }
            if byte == UInt8(ascii: "\"") {
                main += scanner.quotedString()
                continue
            }
            main.append(byte)
            scanner.advance()
        }
        self.value = main.isEmpty ? nil : main
        var parameters: [(name: [UInt8], value: [UInt8])] = []
        while scanner.peek == UInt8(ascii: ";") {
            scanner.advance()
            scanner.skipCFWS()
            var name: [UInt8] = []
            while let byte = scanner.peek, byte != UInt8(ascii: "="), byte != UInt8(ascii: ";"), byte > 32,
                byte != UInt8(ascii: "(")
            {
                name.append(byte)
                scanner.advance()
            }
            scanner.skipCFWS()
            guard scanner.peek == UInt8(ascii: "=") else {
                scanner.skip(until: UInt8(ascii: ";"))
                continue
            }
            scanner.advance()
            scanner.skipCFWS()
            var value: [UInt8] = []
            if scanner.peek == UInt8(ascii: "\"") {
                value = scanner.quotedString()
            } else {
                while let byte = scanner.peek, byte != UInt8(ascii: ";"), byte > 32, byte != UInt8(ascii: "(") {
                    value.append(byte)
                    scanner.advance()
                }
            }
            scanner.skipCFWS()
            scanner.skip(until: UInt8(ascii: ";"))
            if !name.isEmpty, parameters.count < MIMEParameterizedValue.maxParameters {
                parameters.append((name, value))
            }
        }
        self.parameters = MIMEParameterizedValue.mergeContinuations(parameters)
    }

    /// RFC 2231 §3: `name*0="a"; name*1="b"` becomes `name="ab"`; when any segment is extended (`name*0*=`,
    /// `name*=`), the merged parameter is named `name*` and keeps the `charset'language'%XX` form, as Dovecot does.
    static func mergeContinuations(_ parameters: [(name: [UInt8], value: [UInt8])]) -> [(name: [UInt8], value: [UInt8])] {
        guard parameters.contains(where: { $0.name.contains(UInt8(ascii: "*")) }) else { return parameters }
        var result: [(name: [UInt8], value: [UInt8])] = []
        // base name (lowercased) -> (index in result, segments, extended)
        var groups: [[UInt8]: (index: Int, segments: [(number: Int, value: [UInt8])], extended: Bool)] = [:]
        for parameter in parameters {
            guard let star = parameter.name.firstIndex(of: UInt8(ascii: "*")) else {
                result.append(parameter)
                continue
            }
            let base = Array(parameter.name[..<star])
            let rest = parameter.name[(star + 1)...]
            var number = 0
            var extended = false
            if rest.isEmpty {
                extended = true
            } else {
                var digits = rest
                if digits.last == UInt8(ascii: "*") {
                    extended = true
                    digits = digits.dropLast()
                }
                guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
                    result.append(parameter)
                    continue
                }
                number = digits.reduce(0) { $0 * 10 + Int($1 - 48) }
            }
            let key = base.map(MIMEHeader.lower)
            if var group = groups[key] {
                group.segments.append((number, parameter.value))
                group.extended = group.extended || (extended && number == 0)
                groups[key] = group
            } else {
                groups[key] = (result.count, [(number, parameter.value)], extended && number == 0)
                result.append((base, []))
            }
        }
        for group in groups.values {
            let sorted = group.segments.sorted { $0.number < $1.number }
            var value: [UInt8] = []
            for segment in sorted { value += segment.value }
            let base = result[group.index].name
            result[group.index] = (group.extended ? base + [UInt8(ascii: "*")] : base, value)
        }
        return result
    }
}
