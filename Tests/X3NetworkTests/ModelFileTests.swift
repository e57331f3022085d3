import Testing
import Foundation
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

    /// An ensemble is one version-2 file that reads back member by member, bit for bit (a
    /// member may have another architecture); one model is still written as version 1;
    /// the single-model reader refuses an ensemble, and members that disagree on targets
    /// or windows, or metadata that disagrees with the tensors or with itself, are refused.
    @Test func ensemblesRoundTripAndInconsistentOnesAreRefused() throws {
        let a = try Self.model()
        var c = a.config
        c.seed = 12; c.channels = 16; c.targetMean = [0.5, 1]
        let b = try EquiformerModel<Float>(config: c)
        let ensemble = try ModelEnsemble(members: [a, b, a])
        let bytes = ModelFile.bytes(ensemble)
        let back = try ModelFile.loadEnsemble(bytes: bytes, source: "e")
        #expect(back.count == 3 && back.members.map(\.config) == [a.config, b.config, a.config])
        #expect(back.members.map(\.params.values) == [a.params.values, b.params.values, a.params.values])
        var n = 0
        for k in 0..<8 { n |= Int(bytes[k]) << (8 * k) }
        let header = String(decoding: bytes[8..<(8 + n)], as: UTF8.self)
        #expect(header.contains("\"format_version\":\"2\"") && header.contains("\"members\":\"3\""))
        #expect(ModelFile.bytes(try ModelEnsemble(members: [a])) == ModelFile.bytes(a))
        expectX3Error(.unsupported, mentioning: ["ensemble of 3 models"]) { try ModelFile.load(bytes: bytes, source: "e") }
        var other = a.config
        other.targets = ["co2", "n2"]
        expectX3Error(.invalidArgument, mentioning: ["member 1 predicts co2, n2"]) {
            try ModelEnsemble(members: [a, try EquiformerModel<Float>(config: other)])
        }
        other = a.config
        other.windowStep = 3
        expectX3Error(.invalidArgument, mentioning: ["member 1", "share their windows"]) {
            try ModelEnsemble(members: [a, try EquiformerModel<Float>(config: other)])
        }
        expectX3Error(.invalidArgument, mentioning: ["at least one model"]) { try ModelEnsemble(members: []) }
        // the header's member count must match its configurations
        let edited = Self.editingHeader(bytes) { $0.replacingOccurrences(of: "\"members\":\"3\"", with: "\"members\":\"4\"") }
        expectX3Error(.parse, mentioning: ["'members' (4)", "3 configurations"]) {
            try ModelFile.loadEnsemble(bytes: edited, source: "e")
        }
        // and 'config' (for readers of version 1) must be member 0's
        let otherSeed = Self.editingHeader(bytes) { h in
            let start = h.range(of: "\"config\":\"")!.upperBound
            let seed = h[start...].range(of: "\\\"seed\\\":")!
            return h.replacingCharacters(in: seed, with: h[seed] + "9")
        }
        expectX3Error(.parse, mentioning: ["'config' is not member 0's"]) { try ModelFile.loadEnsemble(bytes: otherSeed, source: "e") }
    }

    /// A calibrated ensemble keeps its spread scale in the file; a scale that is not one
    /// finite factor > 0 per target, or one on a single model, is refused. The factor
    /// `calibrated` fits by default is √(mean z²), by hand: z = (1 − 0) / 1 and (0 − 3) / 1
    /// give √5, and a second calibration on the scaled spreads (z = 1/√5, −3/√5) keeps it;
    /// the coverage rule's factor multiplies the ensemble's current scale.
    @Test func spreadScalesRoundTripAndCalibrationFitsItsRuleTimesTheCurrentScale() throws {
        let a = try Self.model()
        var c = a.config
        c.seed = 99
        let plain = try ModelEnsemble(members: [a, try EquiformerModel<Float>(config: c)])
        let scaled = try plain.scalingSpread(to: [1.75, 0.5])
        #expect(try ModelFile.loadEnsemble(bytes: ModelFile.bytes(scaled), source: "e").spreadScale == [1.75, 0.5])
        #expect(try ModelFile.loadEnsemble(bytes: ModelFile.bytes(plain), source: "e").spreadScale == [1, 1])
        for bad in [[0.0, 1], [1, -2], [Double.nan, 1], [1]] {
            expectX3Error(.invalidArgument, mentioning: ["spread scale"]) { _ = try plain.scalingSpread(to: bad) }
        }
        expectX3Error(.invalidArgument, mentioning: ["single model"]) { _ = try ModelEnsemble(a).scalingSpread(to: [2, 2]) }
        let edited = Self.editingHeader(ModelFile.bytes(scaled)) { $0.replacingOccurrences(of: "[1.75,0.5]", with: "[1.75,-0.5]") }
        expectX3Error(.parse, mentioning: ["spread scale"]) { _ = try ModelFile.loadEnsemble(bytes: edited, source: "e") }

        let fitted = try plain.calibrated(actual: [[1, 2], [0, 2]], predicted: [[0, 2], [3, 1]], spread: [[1, 1], [1, 2]])
        #expect(abs(fitted.spreadScale[0] - Double(5).squareRoot()) <= 1e-15 && abs(fitted.spreadScale[1] - Double(0.125).squareRoot()) <= 1e-15)
        let again = try fitted.calibrated(actual: [[1, 2], [0, 2]], predicted: [[0, 2], [3, 1]],
                                          spread: [[Double(5).squareRoot(), Double(0.125).squareRoot()], [Double(5).squareRoot(), 2 * Double(0.125).squareRoot()]])
        #expect(abs(again.spreadScale[0] - fitted.spreadScale[0]) <= 1e-14 && abs(again.spreadScale[1] - fitted.spreadScale[1]) <= 1e-14)
        expectX3Error(.invalidArgument, mentioning: ["not finite and > 0"]) {
            _ = try plain.calibrated(actual: [[1, 2], [0, 2]], predicted: [[0, 2], [3, 1]], spread: [[0, 1], [1, 2]])
        }
        // the coverage rule on the same errors: |z| = 1, 3 and 0, 0.5, so 1 + 0.682689… × 2
        // and 0.682689… × 0.5, each times the current scale (NumPy's quantile: 2.3653789842741717, 0.3413447460685429)
        let covered = try scaled.calibrated(actual: [[1, 2], [0, 2]], predicted: [[0, 2], [3, 1]], spread: [[1, 1], [1, 2]],
                                            rule: .coverage)
        #expect(abs(covered.spreadScale[0] - 1.75 * 2.3653789842741717) <= 1e-14)
        #expect(abs(covered.spreadScale[1] - 0.5 * 0.3413447460685429) <= 1e-15)
    }

    /// The rule that fitted a spread scale is kept in the file beside the scale; a scale
    /// set by hand, or read from a file without the key (as files written before it), has
    /// no rule; a word that is not a rule is refused, naming it and the rules.
    @Test func theCalibrationRuleRoundTripsWithTheSpreadScale() throws {
        let a = try Self.model()
        var c = a.config
        c.seed = 99
        let plain = try ModelEnsemble(members: [a, try EquiformerModel<Float>(config: c)])
        #expect(plain.spreadCalibration == nil)
        for rule in SpreadCalibration.allCases {
            let fitted = try plain.calibrated(actual: [[1, 2], [0, 2]], predicted: [[0, 2], [3, 1]], spread: [[1, 1], [1, 2]],
                                              rule: rule)
            #expect(fitted.spreadCalibration == rule)
            let back = try ModelFile.loadEnsemble(bytes: ModelFile.bytes(fitted), source: "e")
            #expect(back.spreadCalibration == rule && back.spreadScale == fitted.spreadScale)
            #expect(try back.scalingSpread(to: [2, 2]).spreadCalibration == nil)
        }
        let covered = ModelFile.bytes(try plain.calibrated(actual: [[1, 2], [0, 2]], predicted: [[0, 2], [3, 1]],
                                                           spread: [[1, 1], [1, 2]], rule: .coverage))
        let unsaid = Self.editingHeader(covered) { $0.replacingOccurrences(of: ",\"spread_calibration\":\"coverage\"", with: "") }
        #expect(unsaid != covered)
        #expect(try ModelFile.loadEnsemble(bytes: unsaid, source: "e").spreadCalibration == nil)
        let unknown = Self.editingHeader(covered) { $0.replacingOccurrences(of: "\"coverage\"", with: "\"quantile\"") }
        expectX3Error(.parse, mentioning: ["spread_calibration", "quantile", "\"likelihood\", \"coverage\""]) {
            _ = try ModelFile.loadEnsemble(bytes: unknown, source: "e")
        }
        #expect(try ModelFile.loadEnsemble(bytes: ModelFile.bytes(plain), source: "e").spreadCalibration == nil)
    }

    /// Every key of the configuration changed from its default survives JSON, including a
    /// seed above 2^53 (once written as a number that could not be read back).
    @Test func everyConfigurationKeyRoundTripsThroughJSON() throws {
        var c = ModelConfig.large
        c.mmax = 3; c.targets = ["a", "b"]; c.targetMean = [1.5, -2]; c.targetStd = [0.25, 3]; c.cutoff = 4.5; c.maxNeighbours = 12
        c.probe = false; c.averageDegree = 9.5; c.readoutHidden = 16; c.windowRadius = 8; c.windowStep = 2.5
        c.activation = "s2"; c.s2Resolution = 8; c.radialBasis = 10; c.edgeEmbedding = 6; c.seed = UInt64.max
        let back = try ModelConfig(json: try JSONValue.parse(c.json.text, source: "t"), source: "t")
        #expect(back == c)
        let untouched = ModelConfig.schema.keys.filter { k in ModelConfig.schema.json(c)[k] == ModelConfig.schema.json(ModelConfig())[k] }
        #expect(untouched.isEmpty, "keys left at their defaults, so not tested: \(untouched)")
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
        // a NaN in the last tensor: the checksum catches it; with a matching checksum
        // (a file written elsewhere) the value check does
        for b in 0..<4 { bytes[bytes.count - 4 + b] = [0x00, 0x00, 0xC0, 0x7F][b] }
        expectParseError(bytes, mentioning: ["checksum"])
        expectParseError(Self.withCorrectChecksum(bytes), mentioning: ["non-finite"])
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
        expectParseError(edit("\\\"channels\\\":8", "\\\"channels\\\":9"), mentioning: ["configuration defines", "disagree"])
        expectParseError(Self.withCorrectChecksum(edit("\"shape\":[97,8]", "\"shape\":[8,97]")), mentioning: ["shape"])
        expectParseError(edit("\\\"lmax\\\":3", "\\\"lmaX\\\":3"), mentioning: ["unknown configuration key 'lmaX'"])
        expectParseError(edit("\"format_version\":\"1\"", "\"format_version\":\"7\""), mentioning: ["version 7"], status: .unsupported)
        expectParseError(edit("x3mat-model", "x3mat-other"), mentioning: ["not an x3mat model"])
    }

    /// The file with its recorded checksum replaced by the right one for its bytes.
    static func withCorrectChecksum(_ bytes: [UInt8]) -> [UInt8] {
        var n = 0
        for b in 0..<8 { n |= Int(bytes[b]) << (8 * b) }
        var h = CRC32.checksum(bytes[(8 + n)...])
        var hex = ""
        for _ in 0..<8 { hex = String("0123456789abcdef"[String.Index(utf16Offset: Int(h & 15), in: "0123456789abcdef")]) + hex; h >>= 4 }
        var out = bytes
        let key = Array("\"checksum\":\"crc32:".utf8)
        for i in 8..<(8 + n - key.count) where Array(out[i..<(i + key.count)]) == key {
            for (k, c) in hex.utf8.enumerated() { out[i + key.count + k] = c }
            return out
        }
        preconditionFailure("no checksum in the header")
    }

    /// A file with its header text edited (lengths recomputed, data kept).
    static func editingHeader(_ bytes: [UInt8], _ edit: (String) -> String) -> [UInt8] {
        var n = 0
        for b in 0..<8 { n |= Int(bytes[b]) << (8 * b) }
        var h = Array(edit(String(decoding: bytes[8..<(8 + n)], as: UTF8.self)).utf8)
        while h.count % 8 != 0 { h.append(32) }
        var out = (0..<8).map { UInt8(truncatingIfNeeded: h.count >> (8 * $0)) }
        out += h
        out += bytes[(8 + n)...]
        return out
    }

    /// Shapes and offsets that would allocate terabytes or do not fit an Int are errors
    /// (they once trapped on conversion).
    @Test func hugeShapesAndOffsetsAreRefused() throws {
        let good = ModelFile.bytes(try Self.model())
        for (from, to, word) in [("\"shape\":[97,8]", "\"shape\":[1e30,8]", "shape"),
                                 ("\"shape\":[97,8]", "\"shape\":[-97,8]", "shape"),
                                 ("\"shape\":[97,8]", "\"shape\":[97.5,8]", "shape"),
                                 ("\"data_offsets\":[0,", "\"data_offsets\":[1e19,", "data_offsets")] {
            let bytes = Self.editingHeader(good) { $0.replacingOccurrences(of: from, with: to) }
            expectParseError(bytes, mentioning: [word])
        }
    }

    /// A few hundred bytes declaring a configuration of 10¹² parameters: refused from the
    /// size of the file, before the model is built (which would need terabytes).
    @Test func smallFileWithHugeConfigurationIsRefusedBeforeAllocating() throws {
        let good = ModelFile.bytes(try Self.model())
        let huge = Self.editingHeader(good) {
            $0.replacingOccurrences(of: "\\\"channels\\\":8,", with: "\\\"channels\\\":4096,")
              .replacingOccurrences(of: "\\\"blocks\\\":1,", with: "\\\"blocks\\\":256,")
        }
        expectParseError(huge, mentioning: ["configuration defines", "parameters"])
    }

    /// One flipped bit anywhere in the tensors is caught by the checksum (zlib's CRC-32,
    /// which detects every single-bit error).
    @Test func flippedBitIsCaughtByTheChecksum() throws {
        let good = ModelFile.bytes(try Self.model())
        var n = 0
        for b in 0..<8 { n |= Int(good[b]) << (8 * b) }
        var rng = SplitMix(state: 9)
        for _ in 0..<20 {
            var bad = good
            let at = Int.random(in: (8 + n)..<good.count, using: &rng)
            bad[at] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
            expectParseError(bad, mentioning: ["checksum", "corrupted"])
        }
    }

    /// The parameter count found without allocating equals the built model's.
    @Test func parameterCountWithoutAllocatingMatchesTheModel() throws {
        var c = ModelConfig()
        for (lmax, mmax, blocks, activation) in [(1, 1, 1, "gate"), (3, 2, 2, "s2"), (4, 0, 3, "gate")] {
            c.lmax = lmax; c.mmax = mmax; c.blocks = blocks; c.activation = activation
            c.channels = 8; c.attentionChannels = 8; c.ffnChannels = 16
            #expect(try EquiformerModel<Float>.parameterCount(c) == EquiformerModel<Float>(config: c).params.count)
        }
        c.channels = 4096; c.blocks = 256; c.ffnChannels = 4096
        expectX3Error(.outOfMemory, mentioning: ["parameters", "cap"]) { try EquiformerModel<Float>(config: c) }
    }
}
