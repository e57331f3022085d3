/// One option of an option set (`OptionSchema`): its JSON key, the kind of value, the
/// values it accepts, its unit and meaning, the command-line flag that sets it, and how
/// it is read from, written to and checked in the options value. The default is not
/// spelled here: it is whatever `Options()` holds, so it exists once.
public struct OptionField<Options>: @unchecked Sendable {
    /// The JSON key (snake_case).
    public let key: String
    /// What a value is: "integer", "number", "boolean", "string", "seed", or a
    /// description such as "N or [N1, N2, N3]".
    public let kind: String
    /// The values accepted, as text ("1...4096", "(0, 20]", "l1 | mse"); "" for any.
    public let range: String
    /// The unit of a number ("Å", "s"); "" for none.
    public let unit: String
    public let doc: String
    /// The `x3mat` flag that sets this option ("--batch"), nil when none does.
    public let flag: String?
    /// Shown instead of the default value when that depends on the machine (threads).
    public let defaultText: String?
    let read: (Options) -> JSONValue
    let write: (inout Options, JSONValue, _ what: String, _ source: String) throws -> Void
    /// nil when the value is allowed, else why not (after "key = value; ").
    let check: (Options) -> String?

    public init(key: String, kind: String, range: String = "", unit: String = "", doc: String, flag: String? = nil,
                defaultText: String? = nil, read: @escaping (Options) -> JSONValue,
                write: @escaping (inout Options, JSONValue, _ what: String, _ source: String) throws -> Void,
                check: @escaping (Options) -> String? = { _ in nil }) {
        self.key = key; self.kind = kind; self.range = range; self.unit = unit; self.doc = doc; self.flag = flag
        self.defaultText = defaultText; self.read = read; self.write = write; self.check = check
    }

    /// The value's JSON text as documentation shows it: "60", "0.002", "true", "l1".
    public func text(of options: Options) -> String {
        let v = read(options)
        if let s = v.string { return s }
        return v.text
    }
}

extension OptionField {
    /// A whole number in `range`.
    public static func integer(_ key: String, _ path: WritableKeyPath<Options, Int>, _ range: ClosedRange<Int>,
                               doc: String, flag: String? = nil, defaultText: String? = nil) -> OptionField {
        OptionField(key: key, kind: "integer", range: "\(range.lowerBound)...\(range.upperBound)", doc: doc, flag: flag,
                    defaultText: defaultText, read: { .number(Double($0[keyPath: path])) },
                    write: { o, v, what, source in o[keyPath: path] = try v.integer(key: key, what: what, source: source) },
                    check: { range.contains($0[keyPath: path]) ? nil : "use \(range.lowerBound)...\(range.upperBound)" })
    }

    /// A finite number in `range`.
    public static func number(_ key: String, _ path: WritableKeyPath<Options, Double>, _ range: NumberRange,
                              unit: String = "", doc: String, flag: String? = nil) -> OptionField {
        OptionField(key: key, kind: "number", range: range.description, unit: unit, doc: doc, flag: flag,
                    read: { .number($0[keyPath: path]) },
                    write: { o, v, what, source in o[keyPath: path] = try v.number(key: key, what: what, source: source) },
                    check: { range.contains($0[keyPath: path]) ? nil : "use \(range)\(unit.isEmpty ? "" : " " + unit)" })
    }

    /// true or false.
    public static func boolean(_ key: String, _ path: WritableKeyPath<Options, Bool>, doc: String,
                               flag: String? = nil) -> OptionField {
        OptionField(key: key, kind: "boolean", doc: doc, flag: flag, read: { .bool($0[keyPath: path]) },
                    write: { o, v, what, source in
                        guard let b = v.bool else { throw OptionField.typeError(key, what, source, "true or false") }
                        o[keyPath: path] = b
                    })
    }

    /// One of a few words.
    public static func choice(_ key: String, _ path: WritableKeyPath<Options, String>, _ words: [String], doc: String,
                              flag: String? = nil) -> OptionField {
        let listed = words.map { "\"\($0)\"" }.joined(separator: " or ")
        return OptionField(key: key, kind: "string", range: words.joined(separator: " | "), doc: doc, flag: flag,
                           read: { .string($0[keyPath: path]) },
                           write: { o, v, what, source in
                               guard let s = v.string else { throw OptionField.typeError(key, what, source, listed) }
                               o[keyPath: path] = s
                           },
                           check: { words.contains($0[keyPath: path]) ? nil : "use \(listed)" })
    }

    /// One of an enumeration's raw values.
    public static func choice<E: RawRepresentable & CaseIterable>(_ key: String, _ path: WritableKeyPath<Options, E>, doc: String,
                                                                  flag: String? = nil) -> OptionField where E.RawValue == String {
        let words = E.allCases.map(\.rawValue)
        let listed = words.map { "\"\($0)\"" }.joined(separator: " or ")
        return OptionField(key: key, kind: "string", range: words.joined(separator: " | "), doc: doc, flag: flag,
                           read: { .string($0[keyPath: path].rawValue) },
                           write: { o, v, what, source in
                               guard let s = v.string, let e = E(rawValue: s) else { throw OptionField.typeError(key, what, source, listed) }
                               o[keyPath: path] = e
                           })
    }

    /// A 64-bit seed: a JSON integer up to 2⁵³ (exact in every JSON reader) or a decimal
    /// string for any value; written as a number up to 2⁵³ and as a string above.
    public static func seed(_ key: String, _ path: WritableKeyPath<Options, UInt64>, doc: String,
                            flag: String? = nil) -> OptionField {
        OptionField(key: key, kind: "seed", range: "0...18446744073709551615", doc: doc, flag: flag,
                    read: { o in
                        let s = o[keyPath: path]
                        return s <= 1 << 53 ? .number(Double(s)) : .string(String(s))
                    },
                    write: { o, v, what, source in
                        if let s = v.string, let u = UInt64(s) { o[keyPath: path] = u; return }
                        guard let d = v.number, d >= 0, d == d.rounded(), d <= 0x1p53 else {
                            throw OptionField.typeError(key, what, source, "a non-negative integer (as a decimal string above 2^53)")
                        }
                        o[keyPath: path] = UInt64(d)
                    })
    }

    static func typeError(_ key: String, _ what: String, _ source: String, _ expected: String) -> X3Error {
        X3Error(.parse, "\(source): \(what) '\(key)' must be \(expected)")
    }
}
