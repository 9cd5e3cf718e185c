/// Prometheus text exposition format 0.0.4 (spec §6.3; what upstream's `/metrics` serves through the `prometheus`
/// crate's `TextEncoder`).
///
/// Samples sharing a name form one family: its `# HELP` (left out when empty) and `# TYPE` lines, taken from the
/// first sample, come once, followed by every sample of the family, families in order of first appearance. Label
/// pairs are sorted by name.
public enum PrometheusExposition {
    /// The `Content-Type` of the exposition.
    public static let contentType = "text/plain; version=0.0.4"

    public static func render(_ samples: [MetricSample]) -> String {
        var order: [String] = []
        var families: [String: [MetricSample]] = [:]
        for sample in samples {
            let name = Self.sanitizedName(sample.name, allowColon: true)
            if families[name] == nil { order.append(name) }
            families[name, default: []].append(sample)
        }
        var output = ""
        for name in order {
            guard let members = families[name], let first = members.first else { continue }
            if !first.help.isEmpty { output += "# HELP \(name) \(Self.escapeHelp(first.help))\n" }
            output += "# TYPE \(name) \(first.kind.rawValue)\n"
            for sample in members {
                output += name + Self.labelText(sample.labels) + " " + Self.valueText(sample.value) + "\n"
            }
        }
        return output
    }

    /// `{a="1",b="x\"y"}`, or nothing without labels.
    static func labelText(_ labels: [String: String]) -> String {
        guard !labels.isEmpty else { return "" }
        let pairs = labels.sorted { $0.key < $1.key }.map { key, value in
            "\(Self.sanitizedName(key, allowColon: false))=\"\(Self.escapeLabelValue(value))\""
        }
        return "{" + pairs.joined(separator: ",") + "}"
    }

    /// Go's float formatting as Prometheus writes it: integers without a fraction, `NaN`, `+Inf`, `-Inf`.
    static func valueText(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// Label values escape backslash, double quote and line feed.
    static func escapeLabelValue(_ text: String) -> String {
        var output = ""
        for character in text.unicodeScalars {
            switch character {
            case "\\": output += "\\\\"
            case "\"": output += "\\\""
            case "\n": output += "\\n"
            default: output.unicodeScalars.append(character)
            }
        }
        return output
    }

    /// Help text escapes backslash and line feed.
    static func escapeHelp(_ text: String) -> String {
        text.replacing("\\", with: "\\\\").replacing("\n", with: "\\n")
    }

    /// Metric names match `[a-zA-Z_:][a-zA-Z0-9_:]*`, label names the same without `:`; anything else becomes `_`.
    static func sanitizedName(_ name: String, allowColon: Bool) -> String {
        var output = ""
        for (index, scalar) in name.unicodeScalars.enumerated() {
            let isLetter = ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
            let isDigit = ("0"..."9").contains(scalar)
            let valid = isLetter || (allowColon && scalar == ":") || (index > 0 && isDigit)
            output.unicodeScalars.append(valid ? scalar : "_")
        }
        return output.isEmpty ? "_" : output
    }
}
