import ArgumentParser
import X3Core
import X3Symmetry
import X3Network
import X3Training
#if canImport(Glibc)
import Glibc
#endif

/// Set by SIGINT/SIGTERM: the trainer finishes its step (or the evaluation slice it is
/// in), writes a checkpoint and stops.
nonisolated(unsafe) var interruptRequested: sig_atomic_t = 0

func installInterruptHandler() {
    // the first Ctrl-C asks for a clean stop; a second one kills as usual
    let handler: @convention(c) (Int32) -> Void = { sig in
        if interruptRequested != 0 {
            signal(sig, SIG_DFL)
            raise(sig)
        }
        interruptRequested = 1
    }
    signal(SIGINT, handler)
    signal(SIGTERM, handler)
}

/// "90", "90s", "15m", "2h" → seconds.
func parseDuration(_ s: String) throws -> Double {
    let t = s.trimmingSpaces.lowercased()
    var unit = 1.0, number = Substring(t)
    if let last = t.last, "smh".contains(last) {
        unit = last == "s" ? 1 : last == "m" ? 60 : 3600
        number = t.dropLast()
    }
    guard let v = Double(number), v.isFinite, v > 0 else {
        throw X3Error(.invalidArgument, "--time-budget '\(s)': give seconds, or a number with s, m or h (e.g. 90m)")
    }
    return v * unit
}

func duration(_ s: Double) -> String {
    if !s.isFinite { return "?" }
    let t = Int(s.rounded())
    if t >= 3600 { return "\(t / 3600)h\(pad2((t % 3600) / 60))m" }
    if t >= 60 { return "\(t / 60)m\(pad2(t % 60))s" }
    return "\(t)s"
}

private func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model on a folder of CIFs and a CSV of labels.",
        discussion: """
            DATA is a folder holding cif/<id>.cif (or <id>.cif) and labels.csv, whose first
            column (or --id-column) names each structure and whose --target columns hold
            the properties to learn, e.g. ../shared/data/iza with --target ar_uptake_mol_kg.

            The structures are split (seeded, 4:1 by default) into training and
            validation sets, and with --test a held-out test set that chooses nothing.
            Each structure is cut into spherical windows (radius and step from the model
            configuration, 6 Å and 2 Å by default); the network gives each window a
            contribution and the structure's prediction is their mean. Each step
            draws a few windows per structure; validation uses all windows. Windows
            are cut once per structure and kept in memory (the run reports how many).

            Written into --output (each file atomically, so an interrupted run never
            leaves a half-written file): model.safetensors (the best model on
            validation, for 'x3mat predict'), checkpoint.safetensors (to --resume),
            metrics.csv (one row per epoch), split.csv, and at the end
            predictions_validation.csv, predictions_test.csv (with --test) and
            evaluation.json.

            --snapshots N (N >= 2) trains a snapshot ensemble in the time of one model:
            the learning-rate schedule restarts N times and the weights at the end of
            each cycle are kept (snapshot-K.safetensors). At the end they form
            ensemble.safetensors, its spread calibrated on the validation set, and the
            final predictions and metrics are the ensemble's (with TARGET_std).

            --init MODEL starts from a trained model's weights instead of random ones,
            keeping its configuration and target normalisation. With --snapshots it
            draws a warm-started snapshot ensemble around that model: short cycles whose
            ends are the members.

            Ctrl-C (or --time-budget) stops after the current step and writes a
            checkpoint; run the same command with --resume to continue exactly where it
            stopped (same threads give the same model, bit for bit). In the final
            evaluation on all windows, which can take hours, each finished pass of a
            model over a held-out set is kept (final-evaluation-progress.json, removed at
            the end), and --resume goes on with the next pass.

            Example:
              x3mat train ../shared/data/iza --target ar_uptake_mol_kg --output runs/iza --epochs 40
            """)

    @Argument(help: "Data folder (cif/ and labels.csv).") var data: String
    @Option(name: .customLong("target"), help: "Label column to learn (repeat for several targets).")
    var targets: [String] = []
    @Option(name: .customLong("per-volume"),
            help: "A target (repeat for several) the network learns per volume, as target × density (g/cm³), divided by each structure's density: for per-mass targets such as uptakes in mol/kg.")
    var perVolume: [String] = []
    @Option(name: .shortAndLong, help: "Folder for the model, checkpoint and logs.") var output: String
    @Flag(help: "Continue the run saved in --output (its saved options are used).") var resume = false
    @OptionGroup var dataset: DatasetOptions
    @Option(help: "Model configuration: a JSON file, or 'default' or 'large'.") var config: String = "default"
    @Option(name: .customLong("init"),
            help: "Start from this model file's weights, configuration and target normalisation (to fine-tune it, or to draw a snapshot ensemble around it); --target must list its targets in its order. Give the --seed, --validation and --test it was trained with to keep its held-out structures out of training.")
    var initialModel: String?
    @Option(help: flagHelp(ModelConfig.schema, "window_radius", defaults: ModelConfig(), extra: "Overrides the configuration."))
    var windowRadius: Double?
    @Option(help: flagHelp(ModelConfig.schema, "window_step", defaults: ModelConfig(), extra: "Overrides the configuration."))
    var windowStep: Double?
    @Option(help: help("epochs")) var epochs: Int?
    @Option(help: help("batch_structures")) var batch: Int?
    @Option(help: help("windows_per_structure")) var windowsPerStructure: Int?
    @Option(help: help("learning_rate")) var learningRate: Double?
    @Option(help: help("weight_decay")) var weightDecay: Double?
    @Option(help: help("warmup_fraction")) var warmupFraction: Double?
    @Option(help: help("final_learning_rate_fraction")) var finalLearningRateFraction: Double?
    @Option(help: help("loss", valueName: "l1|mse")) var loss: String?
    @Option(help: help("validation_fraction")) var validation: Double?
    @Option(help: help("test_fraction")) var test: Double?
    @Option(help: help("folds")) var folds: Int?
    @Option(help: help("fold")) var fold: Int?
    @Option(help: help("seed", extra: "Also seeds the model's initial weights.")) var seed: UInt64?
    @Option(help: help("clip_norm")) var clipNorm: Double?
    @Option(help: help("ema_decay")) var emaDecay: Double?
    @Option(help: help("snapshots")) var snapshots: Int?
    @Option(help: help("calibration", valueName: "likelihood|coverage")) var calibration: String?
    @Option(help: help("validation_windows")) var validationWindows: Int?
    @Option(help: help("training_limit")) var trainingLimit: Int?
    @Option(help: help("symmetry", valueName: "on|off")) var symmetry: String?
    @Option(help: help("symmetry_tolerance")) var symmetryTolerance: Double?
    @Option(help: "Stop after this long (e.g. 3600, 45m, 2h), writing a checkpoint.") var timeBudget: String?
    @Option(help: "Threads (default: X3MAT_NUM_THREADS or the number of CPUs). Part of what fixes the result.")
    var threads: Int?

    func run() throws {
        try exitingOnError(train)
    }

    private static func help(_ key: String, extra: String = "", valueName: String? = nil) -> ArgumentHelp {
        flagHelp(TrainingOptions.schema, key, defaults: TrainingOptions(), extra: extra, valueName: valueName)
    }

    func trainingOptions() throws -> TrainingOptions {
        var o = TrainingOptions()
        if let epochs { o.epochs = epochs }
        if let batch { o.batchStructures = batch }
        if let windowsPerStructure { o.windowsPerStructure = windowsPerStructure }
        if let learningRate { o.learningRate = learningRate }
        if let weightDecay { o.weightDecay = weightDecay }
        if let warmupFraction { o.warmupFraction = warmupFraction }
        if let finalLearningRateFraction { o.finalLearningRateFraction = finalLearningRateFraction }
        if let loss { o.loss = try choice("--loss", loss) }
        if let validation { o.validationFraction = validation }
        if let test { o.testFraction = test }
        if let folds { o.folds = folds }
        if let fold { o.fold = fold }
        if let seed { o.seed = seed }
        if let clipNorm { o.clipNorm = clipNorm }
        if let emaDecay { o.emaDecay = emaDecay }
        if let snapshots { o.snapshots = snapshots }
        if let calibration { o.calibration = try choice("--calibration", calibration) }
        if let validationWindows { o.validationWindows = validationWindows }
        if let trainingLimit { o.trainingLimit = trainingLimit }
        if let symmetry {
            guard symmetry == "on" || symmetry == "off" else { throw X3Error(.invalidArgument, "--symmetry '\(symmetry)': use on or off") }
            o.symmetry = symmetry == "on"
        }
        if let symmetryTolerance { o.symmetryTolerance = symmetryTolerance }
        try o.validate()
        return o
    }

    func modelConfig() throws -> ModelConfig {
        var c: ModelConfig
        switch config {
        case "default": c = ModelConfig()
        case "large": c = .large
        default:
            let text = String(decoding: try FileIO.readBytes(path: config), as: UTF8.self)
            c = try ModelConfig(json: try JSONValue.parse(text, source: config), source: config)
        }
        if let windowRadius { c.windowRadius = windowRadius }
        if let windowStep { c.windowStep = windowStep }
        if let seed { c.seed = seed }
        if !perVolume.isEmpty {
            if let name = perVolume.first(where: { !targets.contains($0) }) {
                throw X3Error(.invalidArgument, "--per-volume \(name): not one of the targets (\(targets.joined(separator: ", ")))")
            }
            c.targets = targets
            c.perVolume = targets.map { perVolume.contains($0) }
        }
        try c.validate()
        return c
    }

    /// The --init model, checked against the flags that would otherwise set its
    /// configuration.
    func loadInitialModel(_ path: String) throws -> EquiformerModel<Float> {
        let fixed: [(String, Bool)] = [("--config", config != "default"), ("--window-radius", windowRadius != nil),
                                       ("--window-step", windowStep != nil)]
        let given = fixed.filter(\.1).map(\.0)
        if !given.isEmpty {
            throw X3Error(.invalidArgument, "--init \(path) brings its own configuration and windows; drop \(given.joined(separator: ", "))")
        }
        let model = try Trainer.initialModel(path: path, targets: targets)
        let c = model.config
        if !perVolume.isEmpty && targets.map({ perVolume.contains($0) }) != c.perVolume {
            let theirs = zip(c.targets, c.perVolume).filter(\.1).map(\.0)
            throw X3Error(.invalidArgument, "--per-volume: \(path) learns per volume "
                          + (theirs.isEmpty ? "no target" : theirs.joined(separator: ", ")) + "; give the same or none")
        }
        return model
    }

    func train() throws {
        let nThreads = try threadCount(threads)
        guard !targets.isEmpty else { throw X3Error(.invalidArgument, "give at least one --target (a column of the label CSV)") }
        let budget = try timeBudget.map(parseDuration)
        let checkpoint = output + "/" + Trainer.checkpointName
        if resume {
            let flags: [(String, Bool)] = [("--epochs", epochs != nil), ("--batch", batch != nil), ("--windows-per-structure", windowsPerStructure != nil),
                         ("--learning-rate", learningRate != nil), ("--weight-decay", weightDecay != nil),
                         ("--warmup-fraction", warmupFraction != nil),
                         ("--final-learning-rate-fraction", finalLearningRateFraction != nil), ("--loss", loss != nil),
                         ("--validation", validation != nil), ("--test", test != nil), ("--folds", folds != nil),
                         ("--fold", fold != nil), ("--seed", seed != nil),
                         ("--clip-norm", clipNorm != nil), ("--ema-decay", emaDecay != nil), ("--snapshots", snapshots != nil),
                         ("--calibration", calibration != nil),
                         ("--validation-windows", validationWindows != nil),
                         ("--training-limit", trainingLimit != nil), ("--symmetry", symmetry != nil),
                         ("--symmetry-tolerance", symmetryTolerance != nil),
                         ("--window-radius", windowRadius != nil), ("--window-step", windowStep != nil),
                         ("--config", config != "default"), ("--per-volume", !perVolume.isEmpty),
                         ("--init", initialModel != nil)]
            let given = flags.filter(\.1).map(\.0)
            if !given.isEmpty {
                throw X3Error(.invalidArgument, "--resume continues with the options saved in \(checkpoint); drop \(given.joined(separator: ", "))")
            }
            guard FileIO.isFile(checkpoint) else { throw X3Error(.io, "\(checkpoint): no checkpoint to resume from") }
        } else if FileIO.isFile(checkpoint) {
            throw X3Error(.invalidArgument, "\(output) already holds a training run (\(Trainer.checkpointName)); "
                          + "add --resume to continue it, or choose another --output")
        }
        let options = try trainingOptions()
        let initial = try initialModel.map(loadInitialModel)
        let modelConfig = initial == nil ? try modelConfig() : nil
        var loading: Progress?
        let readingStart = monotonicSeconds()
        let dataset = try LabelledDataset.load(directory: data, labels: self.dataset.labels, idColumn: self.dataset.idColumn,
                                               targets: targets, limit: self.dataset.limit) {
            done, total in
            if loading == nil { loading = Progress(total: total, label: "labelled structures read", start: readingStart) }
            loading?.update(done)
        }
        loading?.finish()
        print("\(data): \(dataset.ids.count) structures with labels \(targets.joined(separator: ", "))")
        if !dataset.skipped.isEmpty {
            print("skipped \(dataset.skipped.count):")
            for (id, reason) in dataset.skipped.prefix(10) { print("  \(id): \(reason)") }
            if dataset.skipped.count > 10 { print("  … and \(dataset.skipped.count - 10) more") }
        }
        let trainer: Trainer
        if resume {
            trainer = try Trainer.resume(directory: output, dataset: dataset, threads: threads)
        } else if let initial {
            trainer = try Trainer(dataset: dataset, initialModel: initial, options: options, threads: nThreads)
            print("starting from the weights of \(initialModel!)")
        } else {
            trainer = try Trainer(dataset: dataset, config: modelConfig!, options: options, threads: nThreads)
        }
        let c = trainer.model.config
        print("split: \(trainer.split.train.count) train, \(trainer.split.validation.count) validation, \(trainer.split.test.count) test (seed \(trainer.options.seed))")
        print("model: lmax \(c.lmax), \(c.channels) channels, \(c.blocks) blocks, \(trainer.model.params.count) parameters; "
              + "windows R = \(fixed(c.windowRadius, 2)) Å, step \(fixed(c.windowStep, 2)) Å")
        print("training: \(trainer.options.epochs) epochs × \(trainer.stepsPerEpoch) steps, \(trainer.options.batchStructures) structures × "
              + "\(trainer.options.windowsPerStructure == 0 ? "all" : String(trainer.options.windowsPerStructure)) windows per step, "
              + "\(trainer.options.loss.rawValue) loss, \(trainer.threads) threads, symmetry \(trainer.options.symmetry ? "on" : "off")"
              + (resume ? "; resuming after epoch \(trainer.completedEpochs)" : ""))
        for (t, name) in c.targets.enumerated() {
            print("  \(name): train mean \(fixed(c.targetMean[t], 4)), std \(fixed(c.targetStd[t], 4))")
        }
        fflush(nil)  // the header lines before the progress on stderr
        installInterruptHandler()
        let display = TrainingDisplay(targets: c.targets)
        let result = try trainer.run(directory: output, timeBudget: budget) { p in
            display.show(p)
            return interruptRequested == 0
        }
        display.finish()
        let cache = trainer.cachedWindows
        print("window cache: \(cache.windows) windows, \(cache.atoms) atoms in memory")
        if !result.finished {
            print("stopped \(interruptRequested != 0 ? "on request" : "at the time budget") after epoch \(trainer.completedEpochs); "
                  + "checkpoint written to \(checkpoint)")
            print("continue with the same command and --resume")
            throw ExitCode(interruptRequested != 0 ? 130 : 0)
        }
        print("done in \(duration(result.seconds)); best epoch \(result.bestEpoch) → \(output)/model.safetensors")
        if trainer.options.snapshots > 1 {
            print("snapshot ensemble of \(trainer.options.snapshots) → \(output)/\(Trainer.ensembleName)"
                  + (trainer.split.validation.count >= 2 ? ", its spread calibrated on validation" : "")
                  + "; the metrics below are the ensemble's")
        }
        for (name, ms) in [("validation", result.validation), ("test", result.test)] where !ms.isEmpty {
            for (t, m) in zip(c.targets, ms) {
                print("\(name) (\(m.count) structures, all windows) \(t): MAE \(g4(m.mae))  RMSE \(g4(m.rmse))  R² \(fixed(m.r2, 3))")
            }
        }
    }
}

/// Where the labels of a data folder are, for train and evaluate.
struct DatasetOptions: ParsableArguments {
    @Option(help: "Label CSV (default: DATA/labels.csv).") var labels: String?
    @Option(help: "Id column of the label CSV (default: the first column).") var idColumn: String?
    @Option(help: "Use only the first N labelled structures.") var limit: Int?
}

/// Four significant digits, for metrics.
func g4(_ x: Double) -> String {
    guard x.isFinite, x != 0 else { return x.isNaN ? "nan" : "\(x)" }
    let digits = max(0, 3 - Int((log10(abs(x))).rounded(.down)))
    return fixed(x, min(digits, 8))
}

/// The training display on standard error: a status line rewritten in place on a
/// terminal, and a log line per epoch (always, so logs and terminals both keep history).
final class TrainingDisplay {
    let targets: [String]
    let tty = isatty(2) != 0
    var lastDraw = 0.0
    var lastQuarter = -1

    init(targets: [String]) { self.targets = targets }

    func show(_ p: TrainingProgress) {
        let now = monotonicSeconds()
        switch p.phase {
        case .windows:
            if tty && (now - lastDraw > 0.2 || p.done == p.total) {
                printToStandardError("\rcutting windows: \(p.done)/\(p.total) structures   ", newline: false)
                lastDraw = now
            }
            if p.done == p.total && p.total > 0 {
                if tty { printToStandardError("\r", newline: false) }
                printError("cut \(p.total) structures into windows in \(fixed(p.elapsed, 1)) s")
            }
        case .training, .validating:
            if !tty && p.phase == .validating && p.total >= 4096 {
                // long evaluations (the final one on all windows) log every quarter
                let quarter = p.done * 4 / max(1, p.total)
                if quarter != lastQuarter {
                    lastQuarter = quarter
                    printError("evaluating: \(p.done)/\(p.total) windows, elapsed \(duration(p.elapsed))")
                }
                return
            }
            guard tty, now - lastDraw > 0.2 else { return }
            lastDraw = now
            let what = p.phase == .training
                ? "step \(p.step)/\(p.stepsPerEpoch)  loss \(fixed(p.loss, 4))"
                : "validating \(p.done)/\(p.total) windows"
            printToStandardError("\repoch \(p.epoch)/\(p.epochs)  \(what)  \(mae(p.validation))  "
                                 + "elapsed \(duration(p.elapsed))  ETA \(p.eta.map(duration) ?? "?")   ", newline: false)
        case .epochEnd:
            if tty { printToStandardError("\r", newline: false) }
            printError("epoch \(p.epoch)/\(p.epochs)  loss \(fixed(p.loss, 4))  \(mae(p.validation))  "
                       + "elapsed \(duration(p.elapsed))  ETA \(p.eta.map(duration) ?? "?")" + String(repeating: " ", count: tty ? 20 : 0))
        }
    }

    func mae(_ v: [RegressionMetrics]?) -> String {
        guard let v, !v.isEmpty else { return "val MAE –" }
        return "val MAE " + zip(targets, v).map { targets.count > 1 ? "\($0)=\(g4($1.mae))" : g4($1.mae) }.joined(separator: " ")
    }

    func finish() { if tty { printToStandardError("\n", newline: false) } }
}
