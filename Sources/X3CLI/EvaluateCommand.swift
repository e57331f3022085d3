import ArgumentParser
import X3Core
import X3Inference
import X3Interpret
import X3Network
import X3Training

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
    @Option(help: ArgumentHelp("Calibrate the ensemble's uncertainty on these structures and write the calibrated ensemble here.",
                               discussion: "Each target's spread scale becomes the current one times the --calibration fit to z = (label − prediction) / σ: use structures no member was trained on, such as a held-out validation or test set."))
    var calibrate: String?
    @Option(help: ArgumentHelp("With --calibrate: 'likelihood' (the default) fits sqrt(mean z²) (the Gaussian maximum likelihood); 'coverage' the 68.27th percentile of |z|, so that ±1σ holds 68.27 % of these labels (robust to heavy-tailed errors).",
                               valueName: "likelihood|coverage"))
    var calibration: String?
    @OptionGroup var symmetry: SymmetryFlags
    @Option(help: "Threads (default: X3MAT_NUM_THREADS or the number of CPUs).") var threads: Int?

    func run() throws {
        try exitingOnError(evaluate)
    }

    func evaluate() throws {
        let nThreads = try threadCount(threads)
        if calibration != nil && calibrate == nil { throw X3Error(.invalidArgument, "--calibration goes with --calibrate") }
        let rule: SpreadCalibration = try calibration.map { try choice("--calibration", $0) } ?? .likelihood
        let modelPath = try ModelSearchPath.resolve(model)
        let m = try ModelFile.loadEnsemble(path: modelPath)
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
        let engine = InferenceEngine(ensemble: m, symmetry: try symmetry.options(), threads: nThreads)
        let predictions = try engine.predict(chosen.map { dataset.structures[$0] }, ids: chosen.map { dataset.ids[$0] }) { done, total in
            if progress == nil { progress = Progress(total: total, label: "windows", start: t0) }
            progress?.update(done)
        }
        let preds = predictions.map(\.property), spread = m.count > 1 ? predictions.map { $0.propertyStd! } : nil
        progress?.finish()
        let evaluated = predictions.reduce(0) { $0 + $1.orbits.count }, total = predictions.reduce(0) { $0 + $1.windows.count }
        print("\(modelPath) on \(data): \(chosen.count) structures in \(duration(monotonicSeconds() - t0)) "
              + "(\(total) windows, \(evaluated) evaluated)")
        for (t, name) in columns.enumerated() {
            let r = RegressionMetrics(predicted: preds.map { $0[t] }, actual: chosen.map { dataset.label($0, t) })
            var line = "\(name): MAE \(g4(r.mae))  RMSE \(g4(r.rmse))  R² \(fixed(r.r2, 3))  (\(r.count) structures)"
            if let spread {
                let c = ParityTable.calibration(actual: chosen.map { dataset.label($0, t) }, predicted: preds.map { $0[t] },
                                                spread: spread.map { $0[t] })
                line += "; labels within ±1σ of the ensemble's prediction \(fixed(100 * c.one, 1)) %, "
                    + "±2σ \(fixed(100 * c.two, 1)) % (Gaussian: 68.3 %, 95.4 %)"
            }
            print(line)
        }
        let actual = chosen.map { i in (0..<columns.count).map { dataset.label(i, $0) } }
        if let calibrate {
            guard let spread else { throw X3Error(.invalidArgument, "--calibrate: \(modelPath) is a single model, not an ensemble") }
            let calibrated = try m.calibrated(actual: actual, predicted: preds, spread: spread, rule: rule)
            try ModelFile.save(calibrated, path: calibrate)
            for (t, name) in columns.enumerated() {
                let factor = calibrated.spreadScale[t] / m.spreadScale[t]
                let c = ParityTable.calibration(actual: actual.map { $0[t] }, predicted: preds.map { $0[t] },
                                                spread: spread.map { $0[t] * factor })
                print("\(name): spread scale \(g4(m.spreadScale[t])) → \(g4(calibrated.spreadScale[t])) (\(rule.rawValue)); with it "
                      + "\(fixed(100 * c.one, 1)) % of these labels lie within ±1σ, \(fixed(100 * c.two, 1)) % within ±2σ")
            }
            print("wrote \(calibrate)")
        }
        if let output {
            try FileIO.writeAtomically(path: output, text: ParityTable.csv(ids: chosen.map { dataset.ids[$0] }, targets: columns,
                                                                           actual: actual, predicted: preds, spread: spread))
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
