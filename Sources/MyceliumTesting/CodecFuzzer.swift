import MyceliumCore
import NIOCore

/// Feeds a wire decoder random and mutated inputs and checks the decoder contract on every one:
/// it must not trap; on "need more bytes" (`nil`) and on a thrown error the reader index must be unchanged;
/// a decoded value must consume between 1 byte and the whole input; and, when a `footprint` is given, a decoded
/// value must not hold more bytes than the input had (no allocation sized by an unchecked length field).
public struct CodecFuzzer: Sendable {
    /// What one fuzzing run saw.
    public struct Report: Sendable, CustomStringConvertible {
        public var name: String
        public var inputs = 0
        public var decoded = 0
        public var incomplete = 0
        public var rejected = 0
        /// Inputs on which the decoder broke its contract, as hex, at most 10 kept.
        public var violations: [String] = []

        public var description: String {
            "fuzz \(self.name): \(self.inputs) inputs, \(self.decoded) decoded, \(self.incomplete) incomplete, "
                + "\(self.rejected) rejected, \(self.violations.count) contract violations"
        }
    }

    public var iterations: Int
    public var seed: UInt64
    public var maximumRandomLength: Int

    public init(iterations: Int = 100_000, seed: UInt64 = 0x6D79_6365_6C69_756D, maximumRandomLength: Int = 512) {
        self.iterations = iterations
        self.seed = seed
        self.maximumRandomLength = maximumRandomLength
    }

    /// Runs `decode` on `iterations` inputs: half purely random, half mutations of the `corpus` (valid encodings).
    public func run<Value>(
        _ name: String,
        corpus: [[UInt8]],
        footprint: ((Value) -> Int)? = nil,
        decode: (inout ByteBuffer) throws(WireError) -> Value?
    ) -> Report {
        var generator = SeededGenerator(seed: self.seed)
        var report = Report(name: name)
        let allocator = ByteBufferAllocator()
        for iteration in 0..<self.iterations {
            let input: [UInt8]
            if corpus.isEmpty || iteration % 2 == 0 {
                input = generator.bytes(Int.random(in: 0...self.maximumRandomLength, using: &generator))
            } else {
                input = Self.mutate(corpus[iteration / 2 % corpus.count], using: &generator)
            }
            var buffer = allocator.buffer(capacity: input.count)
            buffer.writeBytes(input)
            report.inputs += 1
            let before = buffer.readerIndex
            var broken = false
            do {
                if let value = try decode(&buffer) {
                    report.decoded += 1
                    let consumed = buffer.readerIndex - before
                    broken = consumed < 1 || consumed > input.count
                    if let footprint, footprint(value) > input.count { broken = true }
                } else {
                    report.incomplete += 1
                    broken = buffer.readerIndex != before
                }
            } catch {
                report.rejected += 1
                broken = buffer.readerIndex != before
            }
            if broken, report.violations.count < 10 {
                report.violations.append(Hex.encode(input))
            }
        }
        return report
    }

    /// One to four random edits of `input`: bit flips, byte overwrites with boundary values, insertions,
    /// deletions, truncation, duplication.
    public static func mutate(_ input: [UInt8], using generator: inout SeededGenerator) -> [UInt8] {
        var bytes = input
        let interesting: [UInt8] = [0x00, 0x01, 0x02, 0x03, 0x04, 0x7F, 0x80, 0xFE, 0xFF]
        for _ in 0..<Int.random(in: 1...4, using: &generator) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &generator)
            switch Int.random(in: 0..<7, using: &generator) {
            case 0 where !bytes.isEmpty:
                bytes[position] ^= 1 << UInt8.random(in: 0...7, using: &generator)
            case 1 where !bytes.isEmpty:
                bytes[position] = interesting.randomElement(using: &generator) ?? 0
            case 2 where !bytes.isEmpty:
                bytes[position] = UInt8.random(in: 0...255, using: &generator)
            case 3:
                let count = Int.random(in: 1...16, using: &generator)
                bytes.insert(contentsOf: (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) },
                             at: position)
            case 4 where !bytes.isEmpty:
                let end = min(bytes.count, position + Int.random(in: 1...16, using: &generator))
                bytes.removeSubrange(position..<end)
            case 5:
                bytes = Array(bytes.prefix(position))
            default:
                let end = min(bytes.count, position + Int.random(in: 1...32, using: &generator))
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            }
        }
        return bytes
    }
}
