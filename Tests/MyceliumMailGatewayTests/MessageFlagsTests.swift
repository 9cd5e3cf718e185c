import Testing

@testable import MyceliumMailGateway

@Suite struct MessageFlagsTests {
    @Test func systemFlagsAreCanonicalAndSortedFirst() {
        let flags = MessageFlags(["$Label1", "\\SEEN", "\\flagged", "Work"])
        #expect(flags.sorted == ["\\Seen", "\\Flagged", "$Label1", "Work"])
        #expect(flags.contains("\\seen"))
        #expect(MessageFlags(storageString: flags.storageString) == flags)
    }
}
