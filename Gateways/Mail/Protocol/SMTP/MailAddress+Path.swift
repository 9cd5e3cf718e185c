extension MailAddress {
    /// Parses an RFC 5321 §4.1.2 `Path` (`<local@domain>`, an optional source route `<@a,@b:local@domain>` is
    /// ignored) or, when `allowNull` (MAIL FROM's `Reverse-path`), the null path `<>`, which gives `nil`. The whole
    /// text must be the path.
    public static func parsePath(_ text: String, allowNull: Bool) throws(MailAddressError) -> MailAddress? {
        var cursor = SMTPByteCursor(Array(text.utf8)[...])
        let address = try MailAddressParser.parsePath(&cursor, allowNull: allowNull)
        guard cursor.isAtEnd else { throw .syntax }
        return address
    }
}
