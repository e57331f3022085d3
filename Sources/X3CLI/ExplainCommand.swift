import ArgumentParser
import X3Core
import X3Interpret
import X3Network
import X3Sites
import X3Training

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain a prediction: 3-D contribution maps, selectivity maps, histograms and strongest sites.",
        discussion: """
            The structure is cut into windows on the model's grid and every window's
            contribution is laid on that grid: a 3-D map of the cell whose mean is
            the predicted property. DIR receives, per target:
              TARGET.cube, TARGET.xsf  the map with the structure (VESTA, VMD,
                                       OVITO, ASE); cube lengths in bohr, XSF
                                       in Å; values in the target's units
              TARGET_fine.cube         with --refine: the map Fourier-
                                       interpolated onto a finer grid (same
                                       mean, equal at the window centres)
              histogram_TARGET.csv     the contributions' histogram; a bin is
                                       strong, medium or weak by the third of
                                       [min, max] it lies in
              sites_TARGET/            the strongest sites: windows grouped by
                                       the WL hash of their bond graph, ranked
                                       by mean contribution
            and windows.csv (every window's centre and contributions) and
            explanation.json (a summary). --selectivity A/B adds the map of A's
            contributions over B's (A_over_B.cube, .xsf), undefined where
            |B| ≤ guard × max |B| and written there as 0.

            --strong says which end of the contributions is strong: high for
            uptakes, low for band gaps (conductive sites lower it). By default the
            model card's strong end (x3mat info MODEL), else high.

            Examples:
              x3mat explain LTA.cif -o lta --refine 3
              x3mat explain MOF.cif -m qmof-band-gap -o mof
              x3mat explain MOF.cif -m coremof-co2-ch4 -o mof \\
                  --selectivity 0/1      (CO2 over CH4, targets by index)
            """)

    @Argument(help: "The structure (CIF).") var structure: String
    @Option(name: .shortAndLong, help: "A shipped model's name or a model file.") var model: String = ModelSearchPath.defaultName
    @Option(name: .shortAndLong, help: "Folder for the maps, histograms and sites (created if missing).") var output: String
    @Option(help: help("refine", valueName: "N or N1,N2,N3")) var refine: String?
    @Option(help: help("selectivity", extra: "Write NUMERATOR/DENOMINATOR (target names or 0-based indices); repeatable.",
                       valueName: "A/B"))
    var selectivity: [String] = []
    @Option(name: .customLong("guard"), help: help("guard")) var relativeGuard: Double?
    @Option(help: help("bins")) var bins: Int?
    @Option(help: help("strong", valueName: "high|low")) var strong: String?
    @Option(help: help("top")) var top: Int?
    @Option(help: help("removal")) var remove: String?
    @OptionGroup var symmetry: SymmetryFlags
    @Option(help: help("threads")) var threads: Int?

    func run() throws { try exitingOnError(explain) }

    private static func help(_ key: String, extra: String = "", valueName: String? = nil) -> ArgumentHelp {
        flagHelp(ExplainOptions.schema(targets: []), key, defaults: ExplainOptions(), extra: extra, valueName: valueName)
    }

    func explain() throws {
        let modelPath = try ModelSearchPath.resolve(model)
        let m = try ModelFile.loadEnsemble(path: modelPath)
        var o = ExplainOptions()
        o.threads = try threadCount(threads)
        if let refine { o.refine = try parseRefine(refine) }
        o.selectivity = try selectivity.map { try parsePair($0, targets: m.config.targets) }
        if let relativeGuard { o.relativeGuard = relativeGuard }
        if let bins { o.bins = bins }
        o.strongEnd = try strongEnd(strong, card: m.card, targets: Array(m.config.targets.indices))
        if let top { o.top = top }
        if let remove { o.removal = remove }
        o.symmetry = try symmetry.options()
        let s = try CIFReader.read(path: structure)
        let e = try Explanation.make(m, structure: s, id: InputFiles.id(structure), options: o)
        let files = try e.write(directory: output, model: modelPath)
        let g = e.maps[0]
        print("\(e.prediction.id)  (\(s.formula), \(s.count) atoms; \(describeWindows(e.prediction)) on a "
              + "\(g.n1) x \(g.n2) x \(g.n3) grid, R = \(fixed(e.prediction.windows.radius, 2)) Å)")
        for w in e.prediction.symmetry.warnings { print("  warning: \(w)") }
        for (t, name) in e.prediction.targets.enumerated() {
            let h = e.histograms[t], map = e.maps[t]
            let spread = e.prediction.propertyStd.map { " ± \(g4($0[t]))" } ?? ""
            print("  \(name) = \(g4(e.prediction.property[t]))\(spread)   map min \(g4(map.values.min()!)), max \(g4(map.values.max()!)); "
                  + "windows strong/medium/weak (\(o.strongEnd.rawValue) is strong): \(h.strong)/\(h.medium)/\(h.weak)")
            for (r, site) in try e.strongestSites(t).enumerated() {
                let c = site.exampleCentre
                print("    site \(r + 1): contribution \(g4(site.stats[t].mean)) over \(site.count) window(s), "
                      + "centre (\(fixed(c.x, 2)), \(fixed(c.y, 2)), \(fixed(c.z, 2))) Å"
                      + (site.nearestAtomDistance.map { " (nearest atom \(fixed($0, 2)) Å), " } ?? ", ")
                      + (site.exampleAtomicNumbers.isEmpty ? "empty" : Elements.hillFormula(atomicNumbers: site.exampleAtomicNumbers))
                      + ", hash \(site.hash)")
            }
        }
        for sel in e.selectivity {
            print("  selectivity \(sel.map.name): undefined at \(sel.undefinedCount) of \(sel.map.count) points "
                  + "(|denominator| ≤ \(g4(sel.threshold)))")
        }
        print("sites: windows grouped by WL hash, \(SiteGraphOptions.describe(removal: e.removal))")
        print("wrote \(files.count) files to \(output): \(files.joined(separator: ", "))")
    }
}

/// "3" or "2,2,3".
func parseRefine(_ s: String) throws -> (Int, Int, Int) {
    let parts = s.split(separator: ",").map { Int(String($0).trimmingSpaces) }
    if parts.count == 1, let n = parts[0] { return (n, n, n) }
    if parts.count == 3, let a = parts[0], let b = parts[1], let c = parts[2] { return (a, b, c) }
    throw X3Error(.invalidArgument, "--refine '\(s)': give N or N1,N2,N3 (whole numbers ≥ 1)")
}

/// The strong end: `--strong` when given, else the one the model card gives the targets
/// `targets` (indices), else high.
func strongEnd(_ option: String?, card: ModelCard?, targets: [Int]) throws -> StrongEnd {
    guard let option else {
        do { return try StrongEnd(card: card, targets: targets) } catch let e as X3Error {
            throw X3Error(e.status, e.message + " with --strong")
        }
    }
    guard let e = StrongEnd(rawValue: option.lowercased()) else {
        throw X3Error(.invalidArgument, "--strong '\(option)': use high or low")
    }
    return e
}

/// A target by name or 0-based index.
func targetIndex(_ s: String, _ targets: [String]) throws -> Int {
    try ExplainOptions.targetIndex(s, targets: targets, source: "")
}

/// "A/B" with targets by name or index.
func parsePair(_ s: String, targets: [String]) throws -> (Int, Int) {
    guard let slash = s.lastIndex(of: "/") else {
        throw X3Error(.invalidArgument, "--selectivity '\(s)': write NUMERATOR/DENOMINATOR (target names or indices)")
    }
    return (try targetIndex(String(s[..<slash]), targets), try targetIndex(String(s[s.index(after: slash)...]), targets))
}
