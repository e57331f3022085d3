import Testing
import X3Core

/// `OptionSchema` on a small option set: JSON round trips, unknown keys and wrong kinds
/// are parse errors naming the key, ranges are checked at their exact ends, and seeds
/// survive JSON at any size.
@Suite struct OptionSchemaTests {
    struct Options: Equatable {
        var count = 3
        var rate = 0.5
        var on = true
        var mode = "fast"
        var seed: UInt64 = 0
    }

    static let schema = OptionSchema<Options>(
        name: "test options", keyWord: "test option",
        fields: [
            .integer("count", \.count, 1...10, doc: "A count."),
            .number("rate", \.rate, .from(0, below: 1), doc: "A rate."),
            .boolean("on", \.on, doc: "A switch."),
            .choice("mode", \.mode, ["fast", "exact"], doc: "A mode."),
            .seed("seed", \.seed, doc: "A seed."),
        ],
        rules: [{ $0.mode == "exact" && $0.count > 5 ? "exact mode takes at most 5" : nil }])

    func read(_ text: String) throws -> Options {
        var o = Options()
        try Self.schema.read(try JSONValue.parse(text, source: "t"), into: &o, source: "t")
        try Self.schema.validate(o)
        return o
    }

    func error(_ text: String) -> X3Error? {
        do { _ = try read(text); return nil } catch let e as X3Error { return e } catch { return nil }
    }

    @Test func writtenOptionsReadBackEqual() throws {
        var o = Options()
        o.count = 7; o.rate = 0.1 + 0.2; o.on = false; o.mode = "exact"; o.count = 4; o.seed = 12345
        #expect(try read(Self.schema.json(o).text) == o)
        #expect(try read("{}") == Options())
    }

    @Test func unknownKeysAndWrongKindsAreParseErrorsNamingTheKey() {
        for (text, words) in [(#"{"cout": 3}"#, ["unknown test option 'cout'", "known: count, rate"]),
                              (#"{"count": 2.5}"#, ["'count' must be an integer"]),
                              (#"{"rate": "0.1"}"#, ["'rate' must be a number"]),
                              (#"{"on": 1}"#, ["'on' must be true or false"]),
                              (#"{"mode": 3}"#, [#"'mode' must be "fast" or "exact""#]),
                              (#"{"seed": -1}"#, ["'seed' must be a non-negative integer"]),
                              ("[1]", ["must be a JSON object"])] {
            let e = error(text)
            #expect(e?.status == .parse, "\(text)")
            for w in words { #expect(e?.message.contains(w) == true, "\(text): \(e?.message ?? "accepted")") }
        }
    }

    @Test func rangesAreCheckedAtTheirEnds() {
        #expect(error(#"{"count": 1}"#) == nil && error(#"{"count": 10}"#) == nil)
        #expect(error(#"{"count": 0}"#)?.message.contains("test options: count = 0; use 1...10") == true)
        #expect(error(#"{"count": 11}"#)?.status == .invalidArgument)
        #expect(error(#"{"rate": 0}"#) == nil)
        #expect(error(#"{"rate": 1}"#)?.message.contains("rate = 1; use [0, 1)") == true)
        #expect(error(#"{"rate": -1e-300}"#) != nil)
        #expect(error(#"{"mode": "slow"}"#)?.message.contains(#"use "fast" or "exact""#) == true)
        #expect(error(#"{"mode": "exact", "count": 6}"#)?.message.contains("exact mode takes at most 5") == true)
    }

    @Test func numberRangesKeepOpenAndClosedEndsAndRefuseNonFiniteValues() {
        #expect(NumberRange.above(0, atMost: 20).description == "(0, 20]")
        #expect(NumberRange.from(0.1, atMost: 30).description == "[0.1, 30]")
        #expect(NumberRange.open(0, 1).description == "(0, 1)")
        #expect(NumberRange.from(0).description == "[0, ∞)")
        let r = NumberRange.above(0, atMost: 20)
        #expect(!r.contains(0) && r.contains(.leastNonzeroMagnitude) && r.contains(20) && !r.contains(20.000000000000004))
        #expect(!NumberRange.from(0).contains(.infinity) && !NumberRange.from(0).contains(.nan))
    }

    /// JSON numbers are exact up to 2^53 (IEEE double): seeds up to there are written as
    /// numbers, larger ones as decimal strings, and both read back to the same value.
    @Test(arguments: [0, 1 << 53, (1 << 53) + 1, UInt64.max] as [UInt64])
    func seedsOfAnySizeSurviveJSON(seed: UInt64) throws {
        var o = Options()
        o.seed = seed
        let written = Self.schema.json(o)["seed"]!
        #expect(seed <= 1 << 53 ? written.number != nil : written.string == String(seed))
        #expect(try read(Self.schema.json(o).text).seed == seed)
        #expect(error(#"{"seed": 9007199254740994}"#) != nil)  // 2^53 + 2 as a number: not exact everywhere
    }
}
