import ArgumentParser
import X3Core
import X3Inference
import X3Interpret
import X3Network
import X3Sites
import X3Symmetry
import X3Windows
#if canImport(Glibc)
import Glibc
#endif

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict properties of structures, with the windows (sites) that contribute most.",
        discussion: """
            Each structure is cut into spherical windows on a grid (the model's radius and
            step); the model gives each window a contribution in the property's units and
            the prediction is their mean. Windows holding the same site (equal
            Weisfeiler–Lehman hashes of their bond graphs) are grouped, and the sites with
            the highest mean contribution are listed.

            Shipped models (--model NAME): \(ModelSearchPath.shippedNames.joined(separator: ", ")).
              iza-ar-uptake   Ar uptake of zeolites, mol/kg (the default)
              qmof-band-gap   band gap of MOFs, eV
              coremof-co2-ch4 CO2 (0.15 bar) and CH4 (65 bar) uptake of MOFs at 298 K, mol/kg
            Any model written by 'x3mat train' can be given as a path.

            Examples:
              x3mat predict ../shared/data/iza/cif/LTA.cif
              x3mat predict --model qmof-band-gap ../shared/data/qmof/cif/qmof-0000295.cif
              x3mat predict ../shared/data/iza --output iza.csv --contributions windows.csv
            """)

    @Argument(help: "CIF files, or folders of them.") var inputs: [String]
    @Option(name: .shortAndLong, help: "A shipped model's name or a model file.") var model: String = ModelSearchPath.defaultName
    @Option(name: .shortAndLong, help: "Write predictions here: .csv (one row per structure) or .json (with --contributions, per window too).")
    var output: String?
    @Option(help: "Write every window's centre and contribution here (CSV).") var contributions: String?
    @Option(help: "Sites to list per structure (default: 5 for up to 10 structures, else 0).") var top: Int?
    @Option(help: "Atoms dropped from the bond graphs of sites: auto, none, or e.g. O:contract,H:delete.")
    var remove: String = "auto"
    @OptionGroup var symmetry: SymmetryFlags
    @Option(help: "Threads (default: X3MAT_NUM_THREADS or the number of CPUs).") var threads: Int?

    func run() throws {
        try exitingOnError(predict)
    }

    func predict() throws {
        let nThreads = try threadCount(threads)
        let symmetryOptions = try symmetry.options()
        let modelPath = try ModelSearchPath.resolve(model)
        let m = try ModelFile.loadEnsemble(path: modelPath)
        let c = m.config, spread = m.count > 1
        let files = try InputFiles.cifPaths(inputs)
        let topN = top ?? (files.count <= 10 ? 5 : 0)
        let calibrated = m.spreadScale.contains { $0 != 1 }
        let scale = calibrated
            ? "; its spread × \(m.spreadScale.map { fixed($0, 3) }.joined(separator: ", ")), calibrated"
                + (m.spreadCalibration.map { " by \($0.rawValue)" } ?? "") : ""
        let uncertainty = calibrated ? "calibrated ensemble spread" : "ensemble spread"
        print("model \(modelPath)\(spread ? " (an ensemble of \(m.count)\(scale))" : ""): \(c.targets.joined(separator: ", ")); "
              + "windows R = \(fixed(c.windowRadius, 2)) Å, step \(fixed(c.windowStep, 2)) Å")
        var all: [StructurePrediction] = [], failures = 0
        let progress = files.count > 1 ? Progress(total: files.count, label: "structures") : nil
        let engine = InferenceEngine(ensemble: m, symmetry: symmetryOptions, threads: nThreads)
        var structures: [Int: Structure] = [:]  // the structures in flight, for their summaries
        try engine.stream(count: files.count, load: { i in
            let s = try CIFReader.read(path: files[i])
            structures[i] = s
            return (s, InputFiles.id(files[i]))
        }, emit: { i, result in
            defer { structures[i] = nil; progress?.update(i + 1) }
            switch result {
            case .success(let p):
                all.append(p)
                let text = summary(p, structures[i]!, uncertainty: uncertainty) + (topN > 0 ? "\n" + (try sites(p, structures[i]!, topN)) : "")
                if let progress { progress.note(text) } else { print(text) }
            case .failure(let e):
                failures += 1
                let text = "error: \(e.message)"
                if let progress { progress.note(text) } else { printError(text) }
            }
        })
        progress?.finish()
        if let output {
            if output.lowercased().hasSuffix(".json") {
                try FileIO.writeAtomically(path: output, text: PredictionTables.json(all, model: modelPath,
                                                                             contributions: contributions != nil).text + "\n")
            } else {
                try FileIO.writeAtomically(path: output, text: PredictionTables.propertiesCSV(all, targets: c.targets, spread: spread))
            }
            print("wrote \(output)")
        }
        if let contributions {
            try FileIO.writeAtomically(path: contributions, text: PredictionTables.contributionsCSV(all, targets: c.targets,
                                                                                                    spread: spread))
            print("wrote \(contributions)")
        }
        if failures > 0 { throw ExitCode(1) }
    }

    /// A structure's prediction; `uncertainty` names what follows ± (an ensemble's).
    func summary(_ p: StructurePrediction, _ s: Structure, uncertainty: String) -> String {
        var lines = ["\(p.id)  (\(s.formula), \(s.count) atoms; \(describeWindows(p)))"]
        lines += p.symmetry.warnings.map { "  warning: \($0)" }
        for (t, v) in p.property.enumerated() {
            lines.append("  \(p.targets[t]) = \(g4(v))" + (p.propertyStd.map { " ± \(g4($0[t])) (\(uncertainty))" } ?? ""))
        }
        return lines.joined(separator: "\n")
    }

    /// The sites of one structure with the highest mean contribution to the first target.
    func sites(_ p: StructurePrediction, _ s: Structure, _ n: Int) throws -> String {
        let removal = try SiteGraphOptions.removal(remove, for: s)
        let catalogue = try SiteCatalogue(p, removal: removal, threads: threads ?? X3Threads.count)
        var lines = ["  sites contributing most to \(p.targets[0]) (\(catalogue.sites.count) distinct; windows grouped by WL hash of the bond graph, \(SiteGraphOptions.describe(removal: removal))):",
                     "    rank  contribution  windows  share   hash                              example centre (Å)         window atoms"]
        let total = p.property[0] * Double(p.windows.count)
        for (r, site) in try catalogue.ranked(by: 0, top: n).enumerated() {
            let mean = site.stats[0].mean
            let share = total != 0 ? mean * Double(site.count) / total * 100 : .nan
            let centre = "(" + [site.exampleCentre.x, site.exampleCentre.y, site.exampleCentre.z].map { fixed($0, 2) }
                .joined(separator: ", ") + ")"
            lines.append("    " + pad(String(r + 1), 4) + "  " + pad(g4(mean), 12) + "  " + pad(String(site.count), 7) + "  "
                         + pad(fixed(share, 1) + "%", 6) + "  " + site.hash + "  " + centre
                         + String(repeating: " ", count: max(1, 27 - centre.count))
                         + (site.exampleAtomicNumbers.isEmpty ? "(empty)" : Elements.hillFormula(atomicNumbers: site.exampleAtomicNumbers)))
        }
        return lines.joined(separator: "\n")
    }
}
