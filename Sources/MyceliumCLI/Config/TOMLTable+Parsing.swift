import TOMLKit

extension TOMLTable {
    /// Parses a configuration file's text; a syntax error names the file, line and column.
    static func parsing(_ text: String, path: String) throws(ConfigError) -> TOMLTable {
        do {
            return try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw .syntax(
                path: path, line: error.source.begin.line, column: error.source.begin.column,
                message: error.description
            )
        } catch {
            throw .syntax(path: path, line: 0, column: 0, message: "\(error)")
        }
    }
}
