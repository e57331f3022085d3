import Testing
import X3Core

/// The JSON reader behind model files and options: valid text (RFC 8259 examples) reads,
/// and malformed text is an error, never a trap.
@Suite struct JSONTests {
    @Test func escapesAndSurrogatePairsDecode() throws {
        // U+1D11E (musical G clef) is the surrogate pair D834 DD1E in RFC 8259, section 7.
        let v = try JSONValue.parse(#"{"a": "x\n\u00e9\ud834\udd1e", "b": [1, -2.5e3, true, null]}"#, source: "t")
        #expect(v["a"]?.string == "x\né\u{1D11E}")
        #expect(v["b"]?.array?.count == 4)
    }

    @Test(arguments: [
        #""\ud800\u0041""#,   // high surrogate followed by a non-surrogate (once an underflow trap)
        #""\ud800""#,         // lone high surrogate
        #""\udc00x""#,        // lone low surrogate
        #""\u12""#,           // short escape
        "[" + String(repeating: "[", count: 100) + "]",  // nesting beyond 64
        "1e999",               // not finite
        "{\"a\" 1}",
    ])
    func malformedTextIsAnError(text: String) {
        expectX3Error(.parse, mentioning: ["JSON at byte"]) { try JSONValue.parse(text, source: "t") }
    }
}
