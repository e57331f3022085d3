import ArgumentParser
import X3Core
import X3Interpret
import X3Network
import X3Sites
import X3Symmetry
import X3Training
import X3Windows
#if canImport(Glibc)
import Glibc
#endif

/// CIF paths from files and folders (a folder contributes its *.cif, or cif/*.cif).
func cifFiles(_ inputs: [String]) throws -> [String] {
    var out: [String] = []
    for p in inputs {
        if FileIO.isDirectory(p) {
            let dir = FileIO.isDirectory(p + "/cif") ? p + "/cif" : p
            let names = try FileIO.list(directory: dir, suffix: ".cif")
            guard !names.isEmpty else { throw X3Error(.io, "\(dir): no .cif files") }
            out += names.map { dir + "/" + $0 }
        } else {
            out.append(p)
        }
    }
    return out
}

/// The structure id of a CIF path: its file name without ".cif".
func structureID(_ path: String) -> String {
    let name = String(path.split(separator: "/").last ?? Substring(path))
    return name.lowercased().hasSuffix(".cif") ? String(name.dropLast(4)) : name
}

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
        let m = try ModelFile.load(path: modelPath)
        let c = m.config
        let files = try cifFiles(inputs)
        let topN = top ?? (files.count <= 10 ? 5 : 0)
        print("model \(modelPath): \(c.targets.joined(separator: ", ")); windows R = \(fixed(c.windowRadius, 2)) Å, "
              + "step \(fixed(c.windowStep, 2)) Å")
        var all: [StructurePrediction] = [], failures = 0
        let progress = files.count > 1 ? Progress(total: files.count, label: "structures") : nil
        for (i, path) in files.enumerated() {
            do {
                let s = try CIFReader.read(path: path)
                let p = try Predictor.predict(m, structures: [s], ids: [structureID(path)], symmetry: symmetryOptions,
                                              threads: nThreads)[0]
                all.append(p)
                progress?.note(summary(p, s))
                if topN > 0 { progress?.note(try sites(p, s, topN)) }
                if progress == nil {
                    print(summary(p, s))
                    if topN > 0 { print(try sites(p, s, topN)) }
                }
            } catch let e as X3Error {
                failures += 1
                printError("error: \(path): \(e.message)")
            }
            progress?.update(i + 1)
        }
        progress?.finish()
        if let output {
            if output.lowercased().hasSuffix(".json") {
                try FileIO.writeAtomically(path: output, text: Predictor.json(all, model: modelPath,
                                                                             contributions: contributions != nil).text + "\n")
            } else {
                try FileIO.writeAtomically(path: output, text: Predictor.propertiesCSV(all))
            }
            print("wrote \(output)")
        }
        if let contributions {
            try FileIO.writeAtomically(path: contributions, text: Predictor.contributionsCSV(all))
            print("wrote \(contributions)")
        }
        if failures > 0 { throw ExitCode(1) }
    }

    func summary(_ p: StructurePrediction, _ s: Structure) -> String {
        var lines = ["\(p.id)  (\(s.formula), \(s.count) atoms; \(describeWindows(p)))"]
        lines += p.symmetry.warnings.map { "  warning: \($0)" }
        for (t, v) in zip(p.targets, p.property) { lines.append("  \(t) = \(g4(v))") }
        return lines.joined(separator: "\n")
    }

    /// The sites of one structure with the highest mean contribution to the first target.
    func sites(_ p: StructurePrediction, _ s: Structure, _ n: Int) throws -> String {
        let removal = try SiteGraphOptions.removal(remove, for: s)
        let catalogue = try SiteCatalogue(options: SiteGraphOptions(removal: removal), targets: p.targets)
        try catalogue.add(p.windows, structure: p.id, values: p.contributions, sameAs: p.representatives, threads: threads ?? X3Threads.count)
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

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Compare a model's predictions with labels: MAE, RMSE, R² and parity data.",
        discussion: """
            DATA is a folder of CIFs with a label CSV, as for 'x3mat train'. The label
            columns are the model's targets unless --target is given. Every structure is
            predicted from all of its windows.

            Example:
              x3mat evaluate --model runs/iza/model.safetensors ../shared/data/iza --output parity.csv
            """)

    @Argument(help: "Data folder (cif/ and labels.csv).") var data: String
    @Option(name: .shortAndLong, help: "A shipped model's name or a model file.") var model: String = ModelSearchPath.defaultName
    @Option(name: .customLong("target"), help: "Label column for each model target, in order (default: the model's target names).")
    var targets: [String] = []
    @OptionGroup var dataset: DatasetOptions
    @Option(help: "Only structures listed with this set in a training run's split.csv (e.g. runs/iza/split.csv:validation).")
    var split: String?
    @Option(name: .shortAndLong, help: "Write parity data (id, true and predicted value per target) here (CSV).") var output: String?
    @Option(help: "Write the 2-D histogram of window contributions against the true property here (CSV; with several targets, one file per target: NAME_TARGET.csv).")
    var histogram: String?
    @Option(help: "Histogram bins: PROPERTY,CONTRIBUTION.") var histogramBins: String = "20,40"
    @OptionGroup var symmetry: SymmetryFlags
    @Option(help: "Threads (default: X3MAT_NUM_THREADS or the number of CPUs).") var threads: Int?

    func run() throws {
        try exitingOnError(evaluate)
    }

    func evaluate() throws {
        let nThreads = try threadCount(threads)
        let modelPath = try ModelSearchPath.resolve(model)
        let m = try ModelFile.load(path: modelPath)
        let columns = targets.isEmpty ? m.config.targets : targets
        guard columns.count == m.config.targets.count else {
            throw X3Error(.invalidArgument, "the model has \(m.config.targets.count) targets; give as many --target columns")
        }
        let dataset = try LabelledDataset.load(directory: data, labels: self.dataset.labels, idColumn: self.dataset.idColumn,
                                               targets: columns, limit: self.dataset.limit)
        for (id, reason) in dataset.skipped { printError("skipped \(id): \(reason)") }
        var chosen = Array(0..<dataset.ids.count)
        if let split {
            let parts = split.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw X3Error(.invalidArgument, "--split '\(split)': use FILE:SET, e.g. runs/iza/split.csv:validation") }
            let table = try CSVTable.read(path: parts[0])
            guard let idCol = table.columns.firstIndex(of: "id"), let setCol = table.columns.firstIndex(of: "set") else {
                throw X3Error(.parse, "\(parts[0]): expected columns id and set (a split.csv written by x3mat train)")
            }
            let wanted = Set(table.rows.filter { $0[setCol] == parts[1] }.map { $0[idCol] })
            guard !wanted.isEmpty else { throw X3Error(.invalidArgument, "\(parts[0]): no structure is in set '\(parts[1])'") }
            chosen = chosen.filter { wanted.contains(dataset.ids[$0]) }
        }
        var progress: Progress?
        let t0 = monotonicSeconds()
        let bins = histogramBins.split(separator: ",").compactMap { Int(String($0).trimmingSpaces) }
        guard bins.count == 2 else { throw X3Error(.invalidArgument, "--histogram-bins '\(histogramBins)': write PROPERTY,CONTRIBUTION, e.g. 20,40") }
        let predictions = try Predictor.predict(m, structures: chosen.map { dataset.structures[$0] }, ids: chosen.map { dataset.ids[$0] },
                                                symmetry: try symmetry.options(), threads: nThreads) { done, total in
            if progress == nil { progress = Progress(total: total, label: "windows") }
            progress?.update(done)
        }
        let preds = predictions.map(\.property)
        progress?.finish()
        let evaluated = predictions.reduce(0) { $0 + $1.orbits.count }, total = predictions.reduce(0) { $0 + $1.windows.count }
        print("\(modelPath) on \(data): \(chosen.count) structures in \(duration(monotonicSeconds() - t0)) "
              + "(\(total) windows, \(evaluated) evaluated)")
        for (t, name) in columns.enumerated() {
            let r = RegressionMetrics(predicted: preds.map { $0[t] }, actual: chosen.map { dataset.label($0, t) })
            print("\(name): MAE \(g4(r.mae))  RMSE \(g4(r.rmse))  R² \(fixed(r.r2, 3))  (\(r.count) structures)")
        }
        if let output {
            let actual = chosen.map { i in (0..<columns.count).map { dataset.label(i, $0) } }
            try FileIO.writeAtomically(path: output, text: Predictor.parityCSV(ids: chosen.map { dataset.ids[$0] }, targets: columns,
                                                                              actual: actual, predicted: preds))
            print("wrote \(output)")
        }
        if let histogram {
            for (t, name) in columns.enumerated() {
                let h = try DatasetHistogram(target: name, properties: chosen.map { dataset.label($0, t) },
                                             contributions: predictions.map { p in (0..<p.windows.count).map { p.contribution($0, t) } },
                                             propertyBins: bins[0], contributionBins: bins[1])
                var path = histogram
                if columns.count > 1 {
                    let stem = histogram.lowercased().hasSuffix(".csv") ? String(histogram.dropLast(4)) : histogram
                    path = stem + "_" + Explanation.stem(name) + ".csv"
                }
                try FileIO.writeAtomically(path: path, text: h.csv)
                print("wrote \(path) (\(name): \(h.propertyBins) x \(h.contributionBins) bins, \(h.counts.reduce(0, +)) windows)")
            }
        }
    }
}
