/// A plain-text table in the default format of the `prettytable` crate, which upstream's CLI prints with:
/// every cell padded by one space, `|` borders, and a `+---+` line above, below and between all rows.
///
/// ```
/// +--------+----------+
/// | Subnet | Next Hop |
/// +--------+----------+
/// | …      | …        |
/// +--------+----------+
/// ```
struct TextTable {
    var rows: [[String]] = []

    init(header: [String]) {
        self.rows = [header]
    }

    mutating func append(_ row: [String]) {
        self.rows.append(row)
    }

    /// The table, each line ending in a newline.
    var rendered: String {
        let columns = self.rows.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in self.rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        let separator = "+" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "+") + "+\n"
        var output = separator
        for row in self.rows {
            let cells = (0..<columns).map { index in
                let cell = index < row.count ? row[index] : ""
                return " " + cell + String(repeating: " ", count: widths[index] - cell.count) + " "
            }
            output += "|" + cells.joined(separator: "|") + "|\n" + separator
        }
        return output
    }
}
