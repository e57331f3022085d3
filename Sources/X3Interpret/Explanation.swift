#if canImport(Glibc)
import Glibc
#endif
import X3Core
import X3Inference
import X3Network
import X3Sites
import X3Symmetry
import X3Windows

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

/// A prediction taken apart: per-target contribution maps (and fine maps), selectivity
/// maps, histograms and the strongest sites of one structure.
public struct Explanation: Sendable {
    public let structure: Structure
    public let prediction: StructurePrediction
    public let options: ExplainOptions
    public let maps: [ContributionMap]
    public let fineMaps: [ContributionMap]
    public let selectivity: [SelectivityMap]
    public let histograms: [StructureHistogram]
    public let removal: [Int: RemovalMode]
    /// The structure's sites (windows grouped by WL hash) with their contributions.
    public let catalogue: SiteCatalogue

    public static func make(_ model: EquiformerModel<Float>, structure: Structure, id: String,
                            options: ExplainOptions = ExplainOptions()) throws -> Explanation {
        let T = model.config.targets.count
        for (a, b) in options.selectivity {
            guard (0..<T).contains(a), (0..<T).contains(b), a != b else {
                throw X3Error(.invalidArgument, "selectivity \(a)/\(b): give two different targets of the model's \(T)")
            }
        }
        guard options.top >= 0 else { throw X3Error(.invalidArgument, "top = \(options.top); it must be ≥ 0") }
        let p = try InferenceEngine(model: model, symmetry: options.symmetry, threads: options.threads)
            .predict(structure, id: id)
        let maps = try (0..<T).map { try ContributionMap(p, target: $0) }
        let fine = options.refine == (1, 1, 1) ? [] : try maps.map { try $0.refined(by: options.refine) }
        let sel = try options.selectivity.map {
            try SelectivityMap(numerator: maps[$0.0], denominator: maps[$0.1], relativeGuard: options.relativeGuard)
        }
        let hist = try (0..<T).map { t in
            try StructureHistogram((0..<p.windows.count).map { p.contribution($0, t) }, target: p.targets[t],
                                   bins: options.bins, strongEnd: options.strongEnd)
        }
        let removal = try SiteGraphOptions.removal(options.removal, for: structure)
        let catalogue = try SiteCatalogue(p, removal: removal, threads: options.threads)
        return Explanation(structure: structure, prediction: p, options: options, maps: maps, fineMaps: fine,
                           selectivity: sel, histograms: hist, removal: removal, catalogue: catalogue)
    }

    /// The strongest sites for target `t` (by mean contribution, at the strong end).
    public func strongestSites(_ t: Int) throws -> [Site] {
        try catalogue.ranked(by: t, top: options.top, lowest: options.strongEnd == .low)
    }

    /// File stem of a map: the target's name with characters outside [A-Za-z0-9_.-] as _.
    public static func stem(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-" ? $0 : "_" })
    }

    /// Writes into `directory` (created if missing), each file atomically, and returns
    /// the names written (relative to it):
    /// - `<target>.cube`, `<target>.xsf`: the contribution map with the structure;
    /// - `<target>_fine.cube`: the interpolated map, with `refine`;
    /// - `<a>_over_<b>.cube`, `.xsf`: selectivity maps, undefined points at 0 (guard in
    ///   explanation.json);
    /// - `histogram_<target>.csv`: the structure's contribution histogram;
    /// - `windows.csv`: every window's centre, atoms and contributions;
    /// - `sites_<target>/`: the strongest sites (sites.csv, sites.json, sites/*.xyz);
    /// - `explanation.json`: the prediction, maps, classes, guard and top sites, and the
    ///   list of these files. It is written last: it marks the folder complete.
    ///
    /// A folder is either complete or marked incomplete: while writing, `INCOMPLETE` is
    /// present and `explanation.json` absent, so an interrupted run leaves that mark. The
    /// files an earlier run listed are removed first, so no file of another run (another
    /// model's targets, other sites) stays beside the new ones. One run per folder at a time.
    @discardableResult
    public func write(directory: String, model: String = "") throws -> [String] {
        try FileIO.makeDirectory(directory)
        let index = directory + "/explanation.json", mark = directory + "/" + Self.incompleteMark
        try FileIO.writeAtomically(path: mark, text: "x3mat explain is writing this folder (process \(getpid())); "
            + "if this file remains, that run was interrupted and the folder is incomplete\n")
        Self.removeFilesListed(in: index, directory: directory)
        var files: [String] = []
        func put(_ name: String, _ text: String) throws {
            try FileIO.writeAtomically(path: directory + "/" + name, text: text)
            files.append(name)
        }
        let id = prediction.id
        for (t, m) in maps.enumerated() {
            let note = "x3mat contribution map of \(m.name) for \(id): mean = predicted property = \(prediction.property[t])"
            try put(Self.stem(m.name) + ".cube", VolumetricFiles.cube(m, structure: structure, comment: note))
            try put(Self.stem(m.name) + ".xsf", VolumetricFiles.xsf(m, structure: structure, comment: note))
        }
        for m in fineMaps {
            try put(Self.stem(m.name) + "_fine.cube", VolumetricFiles.cube(m, structure: structure,
                comment: "x3mat contribution map of \(m.name) for \(id), Fourier-interpolated to \(m.n1)x\(m.n2)x\(m.n3)"))
        }
        for s in selectivity {
            let stem = s.map.name.split(separator: "/").map { Self.stem(String($0)) }.joined(separator: "_over_")
            let note = "x3mat selectivity map \(s.map.name) for \(id): undefined (|denominator| <= \(s.threshold)) at \(s.undefinedCount) points, written as 0"
            try put(stem + ".cube", VolumetricFiles.cube(s.map, structure: structure, comment: note))
            try put(stem + ".xsf", VolumetricFiles.xsf(s.map, structure: structure, comment: note))
        }
        for h in histograms { try put("histogram_\(Self.stem(h.target)).csv", h.csv) }
        try put("windows.csv", PredictionTables.contributionsCSV([prediction], targets: prediction.targets))
        for (t, name) in prediction.targets.enumerated() {
            let sub = "sites_" + Self.stem(name)
            try catalogue.write(directory: directory + "/" + sub, rankedBy: t, top: options.top,
                                lowest: options.strongEnd == .low)
            files.append(sub + "/")
        }
        try put("explanation.json", try json(model: model, files: files + ["explanation.json"]).text + "\n")
        unlink(mark)
        return files
    }

    /// The file that marks an explanation folder as being written (or interrupted).
    public static let incompleteMark = "INCOMPLETE"

    /// Removes the files (and `sites_*/` folders) that an earlier explanation.json lists,
    /// and that index itself. Names with a path separator or ".." are ignored.
    static func removeFilesListed(in index: String, directory: String) {
        defer { unlink(index) }
        guard let bytes = try? FileIO.readBytes(path: index, maxBytes: 1 << 24),
              let json = try? JSONValue.parse(bytes, source: index), let names = json["files"]?.array else { return }
        for case let name? in names.map(\.string) where !name.contains("..") {
            if name.hasSuffix("/"), !name.dropLast().contains("/") {
                SiteCatalogue.removeWritten(directory: directory + "/" + name.dropLast())
            } else if !name.contains("/") {
                unlink(directory + "/" + name)
            }
        }
    }

    /// A summary: structure, property, grid, classes, selectivity guards, top sites.
    public func json(model: String, files: [String] = []) throws -> JSONValue {
        let g = maps[0]
        var targets: [JSONValue] = []
        for (t, name) in prediction.targets.enumerated() {
            let h = histograms[t]
            let sites = try strongestSites(t).map { s -> JSONValue in
                .object([("hash", .string(s.hash)), ("windows", .number(Double(s.count))),
                         ("mean_contribution", .number(s.stats[t].mean)),
                         ("example_window", .number(Double(s.exampleWindow))),
                         ("centre", .array([s.exampleCentre.x, s.exampleCentre.y, s.exampleCentre.z].map { .number($0) })),
                         ("formula", .string(Elements.hillFormula(atomicNumbers: s.exampleAtomicNumbers)))])
            }
            targets.append(.object([
                ("name", .string(name)), ("property", .number(prediction.property[t])),
                ("map_mean", .number(maps[t].mean)),
                ("min", .number(maps[t].values.min()!)), ("max", .number(maps[t].values.max()!)),
                ("classes", .object([("strong", .number(Double(h.strong))), ("medium", .number(Double(h.medium))),
                                     ("weak", .number(Double(h.weak)))])),
                ("top_sites", .array(sites))]))
        }
        let sel: [JSONValue] = selectivity.map {
            .object([("name", .string($0.map.name)), ("threshold", .number($0.threshold)),
                     ("undefined_points", .number(Double($0.undefinedCount)))])
        }
        return .object([
            ("structure", .string(prediction.id)), ("formula", .string(structure.formula)),
            ("atoms", .number(Double(structure.count))), ("model", .string(model)),
            ("window_radius", .number(prediction.windows.radius)),
            ("grid", .array([g.n1, g.n2, g.n3].map { .number(Double($0)) })),
            ("windows_evaluated", .number(Double(prediction.orbits.count))),
            ("symmetry_operations", .number(Double(prediction.orbits.operations.count))),
            ("symmetry_source", .string(prediction.symmetry.source.rawValue)),
            ("strong_end", .string(options.strongEnd.rawValue)),
            ("site_removal", .string(SiteGraphOptions.describe(removal: removal))),
            ("targets", .array(targets)), ("selectivity", .array(sel)),
            ("files", .array(files.map { .string($0) }))])
    }
}

extension ExplainOptions {
    /// Keys of the JSON form (C API and Python): refine (N or [N1, N2, N3]), selectivity
    /// ([[numerator, denominator], ...], targets by name or 0-based index), guard, bins,
    /// strong ("high" or "low"), top, removal ("auto", "none", "O:contract", ...),
    /// threads. Unknown keys are an error.
    /// A target by name, or by 0-based index written as a number.
    public static func targetIndex(_ spec: String, targets: [String], source: String) throws -> Int {
        if let i = targets.firstIndex(of: spec) { return i }
        if let i = Int(spec), (0..<targets.count).contains(i) { return i }
        throw X3Error(.invalidArgument, "\(source.isEmpty ? "" : source + ": ")'\(spec)' is not a target of the model (\(targets.joined(separator: ", "))) "
                      + "or its 0-based index")
    }

    public static let jsonKeys = ["refine", "selectivity", "guard", "bins", "strong", "top", "removal", "threads"]

    public init(json: JSONValue, targets: [String], source: String) throws {
        self.init()
        guard let items = json.object else { throw X3Error(.parse, "\(source): explain options must be a JSON object") }
        let what = "explain option"
        func target(_ v: JSONValue) throws -> Int {
            let spec = v.string ?? v.number.map { $0 == $0.rounded() && abs($0) < 1e9 ? String(Int($0)) : v.text } ?? v.text
            return try Self.targetIndex(spec, targets: targets, source: source)
        }
        for (key, v) in items {
            switch key {
            case "refine":
                if let a = v.array {
                    guard a.count == 3 else { throw X3Error(.parse, "\(source): 'refine' must be N or [N1, N2, N3]") }
                    let n = try a.map { try $0.integer(key: key, what: what, source: source) }
                    refine = (n[0], n[1], n[2])
                } else {
                    let n = try v.integer(key: key, what: what, source: source)
                    refine = (n, n, n)
                }
            case "selectivity":
                guard let pairs = v.array else { throw X3Error(.parse, "\(source): 'selectivity' must be a list of [numerator, denominator]") }
                selectivity = try pairs.map { p in
                    guard let ab = p.array, ab.count == 2 else {
                        throw X3Error(.parse, "\(source): each selectivity must be [numerator, denominator]")
                    }
                    return (try target(ab[0]), try target(ab[1]))
                }
            case "guard": relativeGuard = try v.number(key: key, what: what, source: source)
            case "bins": bins = try v.integer(key: key, what: what, source: source)
            case "top": top = try v.integer(key: key, what: what, source: source)
            case "threads":
                threads = try v.integer(key: key, what: what, source: source)
                guard threads >= 1 else { throw X3Error(.invalidArgument, "\(source): 'threads' must be at least 1") }
            case "strong":
                guard let s = v.string, let e = StrongEnd(rawValue: s) else {
                    throw X3Error(.parse, "\(source): 'strong' must be \"high\" or \"low\"")
                }
                strongEnd = e
            case "removal":
                guard let s = v.string else { throw X3Error(.parse, "\(source): 'removal' must be a string") }
                removal = s
            default:
                throw X3Error(.parse, "\(source): unknown explain option '\(key)' (known: \(Self.jsonKeys.joined(separator: ", ")))")
            }
        }
    }
}
