/// An option set declared once: each option's key, kind, range, unit, meaning and flag
/// (`OptionField`), plus the rules that tie options together. Reading and writing JSON,
/// validation, `x3mat options` and the checks of the documentation against the code all
/// go through it. The defaults are those of `Options()`.
public struct OptionSchema<Options>: @unchecked Sendable {
    /// What the set is called in errors ("model configuration", "training options").
    public let name: String
    /// How one key is called in errors ("configuration key", "training option").
    public let keyWord: String
    public let fields: [OptionField<Options>]
    /// Checks across options: nil when the options agree, else why not.
    let rules: [(Options) -> String?]

    public init(name: String, keyWord: String, fields: [OptionField<Options>], rules: [(Options) -> String?] = []) {
        self.name = name; self.keyWord = keyWord; self.fields = fields; self.rules = rules
    }

    public var keys: [String] { fields.map(\.key) }

    public func field(_ key: String) -> OptionField<Options>? { fields.first { $0.key == key } }

    /// Every option as a JSON object, in declaration order.
    public func json(_ options: Options) -> JSONValue {
        .object(fields.map { ($0.key, $0.read(options)) })
    }

    /// Sets the options a JSON object gives; the others keep their values. Unknown keys
    /// and values of the wrong kind are parse errors naming `source` and the key; ranges
    /// are not checked here (`validate`).
    public func read(_ json: JSONValue, into options: inout Options, source: String) throws {
        guard let items = json.object else { throw X3Error(.parse, "\(source): the \(name) must be a JSON object") }
        for (key, value) in items {
            guard let f = field(key) else {
                throw X3Error(.parse, "\(source): unknown \(keyWord) '\(key)' (known: \(keys.joined(separator: ", ")))")
            }
            try f.write(&options, value, keyWord, source)
        }
    }

    /// Throws `invalidArgument` for the first option outside its range, or rule broken,
    /// naming the set, the key and the value.
    public func validate(_ options: Options) throws {
        for f in fields {
            if let why = f.check(options) { throw X3Error(.invalidArgument, "\(name): \(f.key) = \(f.text(of: options)); \(why)") }
        }
        for rule in rules {
            if let why = rule(options) { throw X3Error(.invalidArgument, "\(name): \(why)") }
        }
    }

    /// The schema as JSON: one object per option with key, kind, default, range, unit,
    /// doc and flag (`x3mat options --json`).
    public func description(defaults: Options) -> JSONValue {
        .array(fields.map { f in
            .object([("key", .string(f.key)), ("kind", .string(f.kind)),
                     ("default", f.defaultText.map { .string($0) } ?? f.read(defaults)),
                     ("range", .string(f.range)), ("unit", .string(f.unit)), ("doc", .string(f.doc)),
                     ("flag", f.flag.map { .string($0) } ?? .null)])
        })
    }
}
