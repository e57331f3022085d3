import Testing
import X3Core
import X3Network
import X3TestSupport

/// Model files: round trip, and clear errors for truncated, corrupted or mismatched files.
struct ModelFileTests {
    init() throws { try requireBLAS() }

    static func model() throws -> EquiformerModel<Float> {
        var c = ModelConfig()
        c.channels = 8; c.attentionChannels = 8; c.ffnChannels = 8; c.blocks = 1; c.targets = ["co2", "ch4"]
        c.targetMean = [1.5, -2]; c.targetStd = [0.5, 3]; c.seed = 11
        return try EquiformerModel<Float>(config: c)
    }

    func expectParseError(_ bytes: [UInt8], mentioning words: [String], status: X3Status = .parse,
                          sourceLocation: SourceLocation = #_sourceLocation) {
        expectX3Error(status, mentioning: words, sourceLocation: sourceLocation) {
            try ModelFile.load(bytes: bytes, source: "m.safetensors")
        }
    }

    @Test func saveAndLoadRoundTripExactly() throws {
        let m = try Self.model()
        let bytes = ModelFile.bytes(m)
        let back = try ModelFile.load(bytes: bytes, source: "m")
        #expect(back.config == m.config)
        #expect(back.params.values == m.params.values)
        #expect(back.params.entries == m.params.entries)
        // header length is 8-byte aligned (safetensors convention)
        var n = 0
        for b in 0..<8 { n |= Int(bytes[b]) << (8 * b) }
        #expect(n % 8 == 0)
    }

    @Test func truncatedFilesAreRefused() throws {
        let bytes = ModelFile.bytes(try Self.model())
        expectParseError(Array(bytes.prefix(5)), mentioning: ["too short"])
        expectParseError(Array(bytes.prefix(100)), mentioning: ["truncated"])
        expectParseError(Array(bytes.dropLast(7)), mentioning: ["truncated"])
    }

    @Test func corruptedFilesAreRefused() throws {
        var bytes = ModelFile.bytes(try Self.model())
        var header = bytes
        header[8] = UInt8(ascii: "x")  // the header's opening brace
        expectParseError(header, mentioning: ["JSON at byte"])
        // a NaN in the last tensor
        for b in 0..<4 { bytes[bytes.count - 4 + b] = [0x00, 0x00, 0xC0, 0x7F][b] }
        expectParseError(bytes, mentioning: ["non-finite"])
        expectParseError(Array(repeating: 0xFF, count: 64), mentioning: ["implausible"])
    }

    /// A file whose tensors do not match its configuration (shape changed, tensor
    /// renamed) or whose configuration is invalid or from the future.
    @Test func mismatchedFilesAreRefused() throws {
        let good = ModelFile.bytes(try Self.model())
        func edit(_ from: String, _ to: String) -> [UInt8] {
            var b = good  // byte-level edits of equal length keep the header length valid
            let f = Array(from.utf8), t = Array(to.utf8)
            precondition(f.count == t.count)
            for i in 0...(b.count - f.count) where Array(b[i..<(i + f.count)]) == f {
                for k in 0..<t.count { b[i + k] = t[k] }
                return b
            }
            preconditionFailure("\(from) not found")
        }
        expectParseError(edit("\"final_norm.bias\"", "\"final_norm.bIas\""), mentioning: ["final_norm.bIas"])
        expectParseError(edit("\\\"channels\\\":8", "\\\"channels\\\":9"), mentioning: ["shape"])
        expectParseError(edit("\\\"lmax\\\":3", "\\\"lmaX\\\":3"), mentioning: ["unknown configuration key 'lmaX'"])
        expectParseError(edit("\"format_version\":\"1\"", "\"format_version\":\"7\""), mentioning: ["version 7"], status: .unsupported)
        expectParseError(edit("x3mat-model", "x3mat-other"), mentioning: ["not an x3mat model"])
    }
}
