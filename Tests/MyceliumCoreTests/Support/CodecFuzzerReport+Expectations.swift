import MyceliumTesting
import Testing

extension CodecFuzzer.Report {
    /// Prints the report, so that the fuzz counts appear in `make test`, and expects a full run with the decoder
    /// contract kept on every input, some values decoded, and — where asked — some inputs rejected or incomplete.
    func expectContractKept(
        rejects: Bool = true,
        asksForMoreBytes: Bool = false,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        print(self)
        #expect(self.inputs == 100_000, sourceLocation: sourceLocation)
        #expect(self.violations.isEmpty, "\(self.violations)", sourceLocation: sourceLocation)
        #expect(self.decoded > 0, sourceLocation: sourceLocation)
        if rejects { #expect(self.rejected > 0, sourceLocation: sourceLocation) }
        if asksForMoreBytes { #expect(self.incomplete > 0, sourceLocation: sourceLocation) }
    }
}
