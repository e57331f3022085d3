#if canImport(Glibc)
import Glibc
#endif
import X3Core
import X3Inference
import X3Network
import X3Sites
import X3Symmetry
import X3Windows

/// A prediction taken apart: per-target contribution maps (and fine maps), selectivity
/// maps, histograms and the strongest sites of one structure.
public struct Explanation: Sendable {
    public let structure: Structure
    public let prediction: StructurePrediction
    public let options: ExplainOptions
    public let maps: [ContributionMap]
    /// For an ensemble, per target the map of the members' standard deviation; else empty.
    public let spreadMaps: [ContributionMap]
    public let fineMaps: [ContributionMap]
    public let selectivity: [SelectivityMap]
    public let histograms: [StructureHistogram]
    public let removal: [Int: RemovalMode]
    /// The structure's sites (windows grouped by WL hash) with their contributions.
    public let catalogue: SiteCatalogue

    public static func make(_ model: EquiformerModel<Float>, structure: Structure, id: String,
                            options: ExplainOptions = ExplainOptions()) throws -> Explanation {
        try make(ModelEnsemble(model), structure: structure, id: id, options: options)
    }

    /// An ensemble's explanation: maps, histograms and sites of the members' mean
    /// contributions, and maps of their standard deviation (`spreadMaps`).
    public static func make(_ ensemble: ModelEnsemble, structure: Structure, id: String,
                            options: ExplainOptions = ExplainOptions()) throws -> Explanation {
        let T = ensemble.config.targets.count
        try ExplainOptions.schema(targets: ensemble.config.targets).validate(options)
        let p = try InferenceEngine(ensemble: ensemble, symmetry: options.symmetry, threads: options.threads)
            .predict(structure, id: id)
        let maps = try (0..<T).map { try ContributionMap(p, target: $0) }
        let spread = try (0..<T).compactMap { try ContributionMap(spreadOf: p, target: $0) }
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
        return Explanation(structure: structure, prediction: p, options: options, maps: maps, spreadMaps: spread, fineMaps: fine,
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
    /// - `<target>_std.cube`, `.xsf`: for an ensemble, the map of the members' standard
    ///   deviation (the contributions' uncertainty);
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
        for (t, m) in spreadMaps.enumerated() {
            let note = "x3mat uncertainty map of \(prediction.targets[t]) for \(id): the ensemble members' standard deviation"
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
        try put("windows.csv", PredictionTables.contributionsCSV([prediction], targets: prediction.targets,
                                                                 spread: prediction.contributionStd != nil))
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
            var items: [(String, JSONValue)] = [
                ("name", .string(name)), ("property", .number(prediction.property[t])),
                ("map_mean", .number(maps[t].mean)),
                ("min", .number(maps[t].values.min()!)), ("max", .number(maps[t].values.max()!)),
                ("classes", .object([("strong", .number(Double(h.strong))), ("medium", .number(Double(h.medium))),
                                     ("weak", .number(Double(h.weak)))])),
                ("top_sites", .array(sites))]
            if let std = prediction.propertyStd {
                items.insert(("property_std", .number(std[t])), at: 2)
                items.insert(("map_std_max", .number(spreadMaps[t].values.max()!)), at: 4)
            }
            targets.append(.object(items))
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
