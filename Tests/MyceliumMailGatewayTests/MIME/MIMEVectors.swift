/// Test vectors: messages and the ENVELOPE / BODYSTRUCTURE / BODY Dovecot 2.3.19 returns for them
/// (`doveadm fetch imap.envelope imap.bodystructure imap.body`), with Dovecot's literals for 7-bit strings written as
/// quoted strings (as `writeIMAPString` does) and, for BODY, types as written (Dovecot lowercases them there only).
struct MIMEVector {
    var message: String
    var envelope: String
    var bodyStructure: String
    var body: String?

    var bytes: [UInt8] { Array(self.message.utf8) }
}

enum MIMEVectors {
    static let all: [String: MIMEVector] = [
        "simple": MIMEVector(
            message: [
                "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n",
                "From: Fred Foobar <foobar@Blurdybloop.example>\r\n",
                "Subject: afternoon meeting\r\n",
                "To: mooch@owatagu.siam.edu.example\r\n",
                "Message-Id: <B27397-0100000@Blurdybloop.example>\r\n",
                "MIME-Version: 1.0\r\n",
                "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n",
                "\r\n",
                "Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n",
            ].joined(),
            envelope: #"("Mon, 7 Feb 1994 21:52:25 -0800 (PST)" "afternoon meeting" (("Fred Foobar" NIL "foobar" "Blurdybloop.example")) (("Fred Foobar" NIL "foobar" "Blurdybloop.example")) (("Fred Foobar" NIL "foobar" "Blurdybloop.example")) ((NIL NIL "mooch" "owatagu.siam.edu.example")) NIL NIL NIL "<B27397-0100000@Blurdybloop.example>")"#,
            bodyStructure: #"("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7bit" 55 1 NIL NIL NIL NIL)"#,
            body: #"("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7bit" 55 1)"#
        ),
        "alternative": MIMEVector(
            message: [
                "From: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <joerg@example.org>\r\n",
                "To: Anna <anna@example.com>, \"Bob, Jr.\" <bob@example.com>\r\n",
                "Subject: =?ISO-8859-1?Q?Gr=FC=DFe?= aus\r\n",
                " =?UTF-8?B?S8O2bG4=?=\r\n",
                "Date: Tue, 02 Jan 2024 10:00:00 +0100\r\n",
                "Message-ID: <alt-1@example.org>\r\n",
                "MIME-Version: 1.0\r\n",
                "Content-Type: multipart/alternative; boundary=\"b1\"\r\n",
                "\r\n",
                "This is a preamble.\r\n",
                "--b1\r\n",
                "Content-Type: text/plain; charset=utf-8\r\n",
                "Content-Transfer-Encoding: quoted-printable\r\n",
                "\r\n",
                "Gr=C3=BC=C3=9Fe aus K=C3=B6ln, a very long line that is soft=\r\n",
                " broken.\r\n",
                "--b1\r\n",
                "Content-Type: text/html; charset=\"utf-8\"\r\n",
                "Content-Transfer-Encoding: 8bit\r\n",
                "\r\n",
                "<p>Grüße</p>\r\n",
                "--b1--\r\n",
                "epilogue\r\n",
            ].joined(),
            envelope: #"("Tue, 02 Jan 2024 10:00:00 +0100" "=?ISO-8859-1?Q?Gr=FC=DFe?= aus =?UTF-8?B?S8O2bG4=?=" (("=?UTF-8?Q?J=C3=B6rg_M=C3=BCller?=" NIL "joerg" "example.org")) (("=?UTF-8?Q?J=C3=B6rg_M=C3=BCller?=" NIL "joerg" "example.org")) (("=?UTF-8?Q?J=C3=B6rg_M=C3=BCller?=" NIL "joerg" "example.org")) (("Anna" NIL "anna" "example.com")("Bob, Jr." NIL "bob" "example.com")) NIL NIL NIL "<alt-1@example.org>")"#,
            bodyStructure: #"(("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" 71 1 NIL NIL NIL NIL)("text" "html" ("charset" "utf-8") NIL NIL "8bit" 14 0 NIL NIL NIL NIL) "alternative" ("boundary" "b1") NIL NIL NIL)"#,
            body: #"(("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" 71 1)("text" "html" ("charset" "utf-8") NIL NIL "8bit" 14 0) "alternative")"#
        ),
        "mixed": MIMEVector(
            message: [
                "From: Alice <alice@example.net>\r\n",
                "To: bob@example.com\r\n",
                "Subject: Report\r\n",
                "Date: Wed, 3 Jan 2024 12:34:56 -0500\r\n",
                "Message-ID: <mixed-1@example.net>\r\n",
                "MIME-Version: 1.0\r\n",
                "Content-Type: multipart/mixed;\r\n",
                " boundary=\"outer-boundary\"\r\n",
                "\r\n",
                "--outer-boundary\r\n",
                "Content-Type: text/plain; charset=us-ascii\r\n",
                "Content-Language: en, de\r\n",
                "Content-Location: http://example.net/body.txt\r\n",
                "\r\n",
                "See attached.\r\n",
                "--outer-boundary\r\n",
                "Content-Type: application/pdf; name=\"report.pdf\"\r\n",
                "Content-Transfer-Encoding: base64\r\n",
                "Content-ID: <part2@example.net>\r\n",
                "Content-Description: The report\r\n",
                "Content-Disposition: attachment;\r\n",
                " filename*0=\"rep\";\r\n",
                " filename*1=\"ort.pdf\"\r\n",
                "\r\n",
                "JVBERi0xLjQK\r\n",
                "--outer-boundary\r\n",
                "Content-Type: message/rfc822\r\n",
                "Content-Disposition: inline\r\n",
                "\r\n",
                "From: Carol <carol@example.org>\r\n",
                "To: Alice <alice@example.net>\r\n",
                "Subject: Fwd inner\r\n",
                "Date: Thu, 4 Jan 2024 08:00:00 +0000\r\n",
                "MIME-Version: 1.0\r\n",
                "Content-Type: multipart/mixed; boundary=inner\r\n",
                "\r\n",
                "--inner\r\n",
                "Content-Type: text/plain\r\n",
                "\r\n",
                "inner text\r\n",
                "--inner\r\n",
                "Content-Type: image/png; name=x.png\r\n",
                "Content-Transfer-Encoding: base64\r\n",
                "\r\n",
                "iVBORw0KGgo=\r\n",
                "--inner--\r\n",
                "\r\n",
                "--outer-boundary--\r\n",
            ].joined(),
            envelope: #"("Wed, 3 Jan 2024 12:34:56 -0500" "Report" (("Alice" NIL "alice" "example.net")) (("Alice" NIL "alice" "example.net")) (("Alice" NIL "alice" "example.net")) ((NIL NIL "bob" "example.com")) NIL NIL NIL "<mixed-1@example.net>")"#,
            bodyStructure: #"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 0 NIL NIL ("en" "de") "http://example.net/body.txt")("application" "pdf" ("name" "report.pdf") "<part2@example.net>" "The report" "base64" 12 NIL ("attachment" ("filename" "report.pdf")) NIL NIL)("message" "rfc822" NIL NIL NIL "7bit" 347 ("Thu, 4 Jan 2024 08:00:00 +0000" "Fwd inner" (("Carol" NIL "carol" "example.org")) (("Carol" NIL "carol" "example.org")) (("Carol" NIL "carol" "example.org")) (("Alice" NIL "alice" "example.net")) NIL NIL NIL NIL) (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 0 NIL NIL NIL NIL)("image" "png" ("name" "x.png") NIL NIL "base64" 12 NIL NIL NIL NIL) "mixed" ("boundary" "inner") NIL NIL NIL) 17 NIL ("inline" NIL) NIL NIL) "mixed" ("boundary" "outer-boundary") NIL NIL NIL)"#,
            body: #"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 0)("application" "pdf" ("name" "report.pdf") "<part2@example.net>" "The report" "base64" 12)("message" "rfc822" NIL NIL NIL "7bit" 347 ("Thu, 4 Jan 2024 08:00:00 +0000" "Fwd inner" (("Carol" NIL "carol" "example.org")) (("Carol" NIL "carol" "example.org")) (("Carol" NIL "carol" "example.org")) (("Alice" NIL "alice" "example.net")) NIL NIL NIL NIL) (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 0)("image" "png" ("name" "x.png") NIL NIL "base64" 12) "mixed") 17) "mixed")"#
        ),
        "addresses": MIMEVector(
            message: [
                "From: \"Joe Q. Public\" <john.q.public@example.com>\r\n",
                "Sender: \r\n",
                "Reply-To: joe@example.com (Joe at home)\r\n",
                "To: Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>\r\n",
                "Cc: <boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>, A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;, undisclosed-recipients:;\r\n",
                "Bcc: <@route.a,@route.b:user@host.test>, localonly\r\n",
                "Subject: addresses\r\n",
                "In-Reply-To: <parent@example.com>\r\n",
                "Message-ID: <addr@example.com>\r\n",
                "\r\n",
                "body\r\n",
            ].joined(),
            envelope: #"(NIL "addresses" (("Joe Q. Public" NIL "john.q.public" "example.com")) (("Joe Q. Public" NIL "john.q.public" "example.com")) (("Joe at home" NIL "joe" "example.com")) (("Mary Smith" NIL "mary" "x.test")(NIL NIL "jdoe" "example.org")("Who?" NIL "one" "y.test")) ((NIL NIL "boss" "nil.test")("Giant; \"Big\" Box" NIL "sysservices" "example.net")(NIL NIL "A Group" NIL)("Ed Jones" NIL "c" "a.test")(NIL NIL "joe" "where.test")("John" NIL "jdoe" "one.test")(NIL NIL NIL NIL)(NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)) ((NIL "@route.a,@route.b" "user" "host.test")(NIL NIL "localonly" "MISSING_DOMAIN")) "<parent@example.com>" "<addr@example.com>")"#,
            bodyStructure: #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 6 1 NIL NIL NIL NIL)"#,
            body: #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 6 1)"#
        ),
        "encoded": MIMEVector(
            message: [
                "From: =?iso-8859-15?q?Andr=E9_=A4?= <andre@example.fr>\r\n",
                "To: =?windows-1252?Q?=93quoted=94?= <q@example.fr>\r\n",
                "Subject: =?utf-8?b?w6TDtsO8?= =?utf-8?q?_and_?=   =?US-ASCII?Q?plain?= tail =?unknown?Q?x?=\r\n",
                "Date: 5 Jan 24 23:59 GMT\r\n",
                "Content-Type: text/plain; charset=iso-8859-1\r\n",
                "Content-Transfer-Encoding: quoted-printable\r\n",
                "\r\n",
                "Caf=E9 cr=E8me\r\n",
            ].joined(),
            envelope: #"("5 Jan 24 23:59 GMT" "=?utf-8?b?w6TDtsO8?= =?utf-8?q?_and_?= =?US-ASCII?Q?plain?= tail =?unknown?Q?x?=" (("=?iso-8859-15?q?Andr=E9_=A4?=" NIL "andre" "example.fr")) (("=?iso-8859-15?q?Andr=E9_=A4?=" NIL "andre" "example.fr")) (("=?iso-8859-15?q?Andr=E9_=A4?=" NIL "andre" "example.fr")) (("=?windows-1252?Q?=93quoted=94?=" NIL "q" "example.fr")) NIL NIL NIL NIL)"#,
            bodyStructure: #"("text" "plain" ("charset" "iso-8859-1") NIL NIL "quoted-printable" 16 1 NIL NIL NIL NIL)"#,
            body: #"("text" "plain" ("charset" "iso-8859-1") NIL NIL "quoted-printable" 16 1)"#
        ),
        "folded": MIMEVector(
            message: [
                "Received: from a\r\n",
                "\tby b; Mon, 1 Jan 2024 00:00:00 +0000\r\n",
                "Subject: a folded\r\n",
                "  subject line\r\n",
                "From: x@y.test\r\n",
                "X-Empty:\r\n",
                "to: z@y.test\r\n",
                "SUBJECT: second\r\n",
                "\r\n",
                "body line 1\r\n",
                "body line 2\r\n",
            ].joined(),
            envelope: #"(NIL "second" ((NIL NIL "x" "y.test")) ((NIL NIL "x" "y.test")) ((NIL NIL "x" "y.test")) ((NIL NIL "z" "y.test")) NIL NIL NIL NIL)"#,
            bodyStructure: #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 26 2 NIL NIL NIL NIL)"#,
            body: #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 26 2)"#
        ),
        "barelf": MIMEVector(
            message: [
                "From: bare@lf.test\n",
                "Subject: bare LF\n",
                "Content-Type: multipart/mixed; boundary=zz\n",
                "\n",
                "--zz\n",
                "Content-Type: text/plain\n",
                "\n",
                "one\n",
                "--zz\n",
                "Content-Type: text/plain\n",
                "\n",
                "two\n",
                "--zz--\n",
            ].joined(),
            envelope: #"(NIL "bare LF" ((NIL NIL "bare" "lf.test")) ((NIL NIL "bare" "lf.test")) ((NIL NIL "bare" "lf.test")) NIL NIL NIL NIL NIL)"#,
            bodyStructure: #"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 0 NIL NIL NIL NIL)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 0 NIL NIL NIL NIL) "mixed" ("boundary" "zz") NIL NIL NIL)"#,
            body: #"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 0)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 0) "mixed")"#
        ),
        "noseparator": MIMEVector(
            message: [
                "From: nosep@x.test\r\n",
                "Subject: no body\r\n",
            ].joined(),
            envelope: #"(NIL "no body" ((NIL NIL "nosep" "x.test")) ((NIL NIL "nosep" "x.test")) ((NIL NIL "nosep" "x.test")) NIL NIL NIL NIL NIL)"#,
            bodyStructure: #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL)"#,
            body: #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0)"#
        ),
        "e1": MIMEVector(
            message: [
                "Content-Type: multipart/mixed\r\n",
                "\r\n",
                "no boundary\r\n",
            ].joined(),
            envelope: #"(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)"#,
            bodyStructure: #"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL) "mixed" NIL NIL NIL NIL)"#,
            body: #"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0) "mixed")"#
        ),
        "e2": MIMEVector(
            message: [
                "Content-Type: multipart/mixed; boundary=x\r\n",
                "\r\n",
                "no parts here\r\n",
            ].joined(),
            envelope: #"(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)"#,
            bodyStructure: #"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL) "mixed" ("boundary" "x") NIL NIL NIL)"#,
            body: #"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0) "mixed")"#
        ),
        "e3": MIMEVector(
            message: [
                "Content-Type: multipart/digest; boundary=x\r\n",
                "\r\n",
                "--x\r\n",
                "\r\n",
                "From: a@b\r\n",
                "Subject: d\r\n",
                "\r\n",
                "hi\r\n",
                "--x--\r\n",
            ].joined(),
            envelope: #"(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)"#,
            bodyStructure: #"(("message" "rfc822" NIL NIL NIL "7bit" 27 (NIL "d" ((NIL NIL "a" "b")) ((NIL NIL "a" "b")) ((NIL NIL "a" "b")) NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 2 0 NIL NIL NIL NIL) 3 NIL NIL NIL NIL) "digest" ("boundary" "x") NIL NIL NIL)"#,
            body: #"(("message" "rfc822" NIL NIL NIL "7bit" 27 (NIL "d" ((NIL NIL "a" "b")) ((NIL NIL "a" "b")) ((NIL NIL "a" "b")) NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 2 0) 3) "digest")"#
        ),
        "e5": MIMEVector(
            message: [
                "Content-Type: Text/HTML\r\n",
                "Content-Disposition: Attachment; Filename=\"a b.txt\"\r\n",
                "Content-Language: en\r\n",
                "\r\n",
                "x\r\n",
            ].joined(),
            envelope: #"(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)"#,
            bodyStructure: #"("Text" "HTML" ("charset" "us-ascii") NIL NIL "7bit" 3 1 NIL ("Attachment" ("Filename" "a b.txt")) ("en") NIL)"#,
            body: nil
        ),
        "e6": MIMEVector(
            message: [
                "To: joe\r\n",
                "From: \"\" <@>\r\n",
                "Bcc: Name <>\r\n",
                "Subject: \r\n",
                "\r\n",
                "x",
            ].joined(),
            envelope: #"(NIL "" ((NIL "INVALID_ROUTE" "MISSING_MAILBOX" "MISSING_DOMAIN")) ((NIL "INVALID_ROUTE" "MISSING_MAILBOX" "MISSING_DOMAIN")) ((NIL "INVALID_ROUTE" "MISSING_MAILBOX" "MISSING_DOMAIN")) ((NIL NIL "joe" "MISSING_DOMAIN")) NIL (("Name" NIL "MISSING_MAILBOX" "MISSING_DOMAIN")) NIL NIL)"#,
            bodyStructure: #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 0 NIL NIL NIL NIL)"#,
            body: #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 0)"#
        ),
        "e7": MIMEVector(
            message: [
                "Content-Type: message/rfc822\r\n",
                "\r\n",
                "Subject: inner\r\n",
                "\r\n",
                "body\r\n",
            ].joined(),
            envelope: #"(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)"#,
            bodyStructure: #"("message" "rfc822" NIL NIL NIL "7bit" 24 (NIL "inner" NIL NIL NIL NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 6 1 NIL NIL NIL NIL) 3 NIL NIL NIL NIL)"#,
            body: #"("message" "rfc822" NIL NIL NIL "7bit" 24 (NIL "inner" NIL NIL NIL NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 6 1) 3)"#
        ),
        "e8": MIMEVector(
            message: [
                "Content-Type: application/x; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A\r\n",
                "\r\n",
                "x",
            ].joined(),
            envelope: #"(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)"#,
            bodyStructure: #"("application" "x" ("title*" "us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A") NIL NIL "7bit" 1 NIL NIL NIL NIL)"#,
            body: #"("application" "x" ("title*" "us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A") NIL NIL "7bit" 1)"#
        ),
    ]

    static func named(_ name: String) -> MIMEVector {
        all[name] ?? MIMEVector(message: "", envelope: "", bodyStructure: "", body: nil)
    }
}
