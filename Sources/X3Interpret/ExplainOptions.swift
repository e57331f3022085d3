import X3Core
import X3Symmetry

/// What `Explanation.make` computes and writes.
public struct ExplainOptions: Sendable {
    /// Also write each map interpolated onto a grid this many times finer per axis
    /// (Fourier interpolation; (1, 1, 1) = no fine map).
    public var refine: (Int, Int, Int) = (1, 1, 1)
    /// Selectivity maps: pairs of target indices (numerator, denominator).
    public var selectivity: [(Int, Int)] = []
    /// Selectivity guard: |denominator| ≤ relativeGuard × max |denominator| is undefined.
    public var relativeGuard = SelectivityMap.defaultRelativeGuard
    /// Bins of each structure histogram.
    public var bins = 20
    /// Which end of the contributions is strong (classes, site ranking).
    public var strongEnd: StrongEnd = .high
    /// Sites listed per target.
    public var top = 5
    /// Atoms dropped from the bond graphs of sites: "auto", "none" or e.g. "O:contract".
    public var removal = "auto"
    /// Symmetry-reduced evaluation (on by default; see `WindowOrbits`).
    public var symmetry = SymmetryOptions()
    public var threads = X3Threads.count

    public init() {}
}

extension ExplainOptions {
    /// The options of the JSON form (C API and Python), with the selectivity's targets
    /// named by `targets` (names or 0-based indices). `symmetry` is not among them: the C
    /// API takes it from x3_set_symmetry, the CLI from its flags.
    public static func schema(targets: [String]) -> OptionSchema<ExplainOptions> {
        OptionSchema(
            name: "explain options", keyWord: "explain option",
            fields: [
                OptionField(key: "refine", kind: "N or [N1, N2, N3]", range: "each ≥ 1, product ≤ 1000",
                            doc: "Also write each map Fourier-interpolated onto a grid this many times finer per axis; 1 = no fine map.",
                            flag: "--refine",
                            read: { o in
                                let (a, b, c) = o.refine
                                return a == b && b == c ? .number(Double(a))
                                    : .array([.number(Double(a)), .number(Double(b)), .number(Double(c))])
                            },
                            write: { o, v, what, source in
                                if let a = v.array {
                                    guard a.count == 3 else { throw X3Error(.parse, "\(source): \(what) 'refine' must be N or [N1, N2, N3]") }
                                    let n = try a.map { try $0.integer(key: "refine", what: what, source: source) }
                                    o.refine = (n[0], n[1], n[2])
                                } else {
                                    let n = try v.integer(key: "refine", what: what, source: source)
                                    o.refine = (n, n, n)
                                }
                            },
                            check: { o in
                                let (a, b, c) = o.refine
                                return a >= 1 && b >= 1 && c >= 1 && a <= 1000 && b <= 1000 && c <= 1000 && a * b * c <= 1000
                                    ? nil : "each refinement factor must be at least 1, and their product at most 1000"
                            }),
                OptionField(key: "selectivity", kind: "list of [numerator, denominator]", range: "targets by name or 0-based index",
                            doc: "Selectivity maps: the ratio of one target's map over another's.", flag: "--selectivity",
                            read: { o in
                                func name(_ i: Int) -> JSONValue { targets.indices.contains(i) ? .string(targets[i]) : .number(Double(i)) }
                                return .array(o.selectivity.map { .array([name($0.0), name($0.1)]) })
                            },
                            write: { o, v, what, source in
                                guard let pairs = v.array else {
                                    throw X3Error(.parse, "\(source): \(what) 'selectivity' must be a list of [numerator, denominator]")
                                }
                                o.selectivity = try pairs.map { p in
                                    guard let ab = p.array, ab.count == 2 else {
                                        throw X3Error(.parse, "\(source): each selectivity must be [numerator, denominator]")
                                    }
                                    return (try target(ab[0], targets, source), try target(ab[1], targets, source))
                                }
                            },
                            check: { o in
                                o.selectivity.allSatisfy { $0.0 != $0.1 && targets.indices.contains($0.0) && targets.indices.contains($0.1) }
                                    ? nil : "give two different targets of the model's \(targets.count)"
                            }),
                .number("guard", \.relativeGuard, .from(0),
                        doc: "A selectivity is undefined where |denominator| ≤ guard × max |denominator|.", flag: "--guard"),
                .integer("bins", \.bins, 1...100_000, doc: "Bins of the contributions' histogram.", flag: "--bins"),
                OptionField(key: "strong", kind: "string", range: "high | low",
                            doc: "Which end of the contributions is strong (classes, site ranking): high for uptakes, low for band gaps.",
                            flag: "--strong", defaultText: "the model card's, else high",
                            read: { .string($0.strongEnd.rawValue) },
                            write: { o, v, what, source in
                                guard let s = v.string, let e = StrongEnd(rawValue: s) else {
                                    throw X3Error(.parse, "\(source): \(what) 'strong' must be \"high\" or \"low\"")
                                }
                                o.strongEnd = e
                            }),
                .integer("top", \.top, 0...1_000_000, doc: "Strongest sites listed per target.", flag: "--top"),
                OptionField(key: "removal", kind: "string", range: "auto | none | ELEMENT:contract|delete,...",
                            doc: "Atoms dropped from the bond graphs of sites (auto: H deleted when the structure has C, else O contracted).",
                            flag: "--remove",
                            read: { .string($0.removal) },
                            write: { o, v, what, source in
                                guard let s = v.string else { throw X3Error(.parse, "\(source): \(what) 'removal' must be a string") }
                                o.removal = s
                            }),
                .integer("threads", \.threads, 1...X3Threads.maxCount, doc: "Threads.", flag: "--threads",
                         defaultText: "X3MAT_NUM_THREADS or the number of CPUs"),
            ])
    }

    /// A target by name, or by 0-based index written as a number or a string.
    public static func targetIndex(_ spec: String, targets: [String], source: String) throws -> Int {
        if let i = targets.firstIndex(of: spec) { return i }
        if let i = Int(spec), (0..<targets.count).contains(i) { return i }
        throw X3Error(.invalidArgument, "\(source.isEmpty ? "" : source + ": ")'\(spec)' is not a target of the model (\(targets.joined(separator: ", "))) "
                      + "or its 0-based index")
    }

    private static func target(_ v: JSONValue, _ targets: [String], _ source: String) throws -> Int {
        let spec = v.string ?? v.number.map { $0 == $0.rounded() && abs($0) < 1e9 ? String(Int($0)) : v.text } ?? v.text
        return try targetIndex(spec, targets: targets, source: source)
    }

    /// Options from JSON for a model with `targets`: missing keys keep their defaults,
    /// unknown keys are an error. Validated; errors name `source`.
    public init(json: JSONValue, targets: [String], source: String) throws {
        self.init()
        let schema = Self.schema(targets: targets)
        try schema.read(json, into: &self, source: source)
        do { try schema.validate(self) } catch let e as X3Error { throw X3Error(e.status, "\(source): \(e.message)") }
    }
}
