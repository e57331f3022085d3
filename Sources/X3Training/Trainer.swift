import X3Core
import X3Inference
import X3Network
import X3Symmetry
import X3Windows
#if canImport(Glibc)
import Glibc
#endif

/// What a trainer reports while it works (to a callback that may ask it to stop).
public struct TrainingProgress: Sendable {
    public enum Phase: String, Sendable {
        /// Cutting structures into windows (done counts structures).
        case windows
        /// Optimizer steps (step counts the steps of this epoch).
        case training
        /// Evaluating the validation set (done counts windows).
        case validating
        /// An epoch ended; `validation` holds its metrics.
        case epochEnd
    }
    public var phase: Phase
    /// The epoch in progress, from 1, of `epochs`.
    public var epoch: Int, epochs: Int
    public var step: Int, stepsPerEpoch: Int
    public var done: Int, total: Int
    /// Mean training loss so far in this epoch (normalised targets).
    public var loss: Double
    /// The latest validation metrics per target (target units), if any.
    public var validation: [RegressionMetrics]?
    /// Seconds since this run began, and the estimated seconds still to go.
    public var elapsed: Double, eta: Double?
}

/// One epoch of the metrics log.
public struct EpochRecord: Sendable, Equatable {
    public var epoch: Int
    /// Optimizer steps done at the end of the epoch.
    public var steps: Int
    public var learningRate: Double
    /// Mean training loss over the epoch's steps (normalised targets).
    public var trainLoss: Double
    public var validation: [RegressionMetrics]
    /// The selection score: the mean over targets of validation MAE / target std.
    public var score: Double
    /// Training seconds up to the end of this epoch (over all resumed runs).
    public var seconds: Double
    public var best: Bool
}

/// How a call to `Trainer.run` ended.
public struct TrainingResult: Sendable {
    /// False when the run stopped early (callback or time budget); resume to continue.
    public var finished: Bool
    public var epochsDone: Int, bestEpoch: Int
    /// Metrics of the best model on all windows of the validation (and test) structures;
    /// empty when the run stopped before its end.
    public var validation: [RegressionMetrics], test: [RegressionMetrics]
    public var seconds: Double
}

/// Trains an `EquiformerModel` on a labelled dataset: the loss compares each structure's
/// label with the mean of its window contributions.
///
/// Files in the output directory, each written atomically:
/// - `checkpoint.safetensors`: the latest model with optimizer moments (and the weights'
///   moving average, when `emaDecay` > 0) and the whole training state (format
///   "x3mat-checkpoint"), written at the end of every epoch and when a run stops early;
///   `Trainer.resume` continues from it exactly.
/// - `model.safetensors`: the best model on validation so far (format "x3mat-model"; with
///   `emaDecay` > 0, the moving average of its weights).
/// - `metrics.csv`: one row per epoch; `split.csv`: the set of every structure.
/// - `predictions_validation.csv` (and `_test`): the best model's predictions on all
///   windows, and `evaluation.json` with their metrics, when training finishes.
/// - With `snapshots` n ≥ 2: `snapshot-K.safetensors` (K = 1 … n), the weights at the end
///   of learning-rate cycle K, and when training finishes `ensemble.safetensors`, the n of
///   them as one `ModelEnsemble` with its spread calibrated on the validation set; the
///   final predictions and metrics are then the ensemble's (mean, and the calibrated
///   spread as `TARGET_std`), and evaluation.json adds each snapshot's metrics and the
///   share of labels within ±1σ and ±2σ.
///
/// Reproducibility: results depend on the seed, the options, the dataset and the thread
/// count (data-parallel sums are ordered by thread); the same four give the same model,
/// bit for bit, whether or not the run was interrupted and resumed.
public final class Trainer {
    public let dataset: LabelledDataset
    public let options: TrainingOptions
    public let split: DataSplit
    public private(set) var model: EquiformerModel<Float>
    public internal(set) var history: [EpochRecord] = []
    /// Data-parallel threads (part of what fixes the result).
    public let threads: Int
    var optimizer: AdamW
    var state = TrainerState()
    var bestParams: [Float] = []
    /// The weights' exponential moving average (`TrainingOptions.emaDecay`); empty when off.
    var averaged: [Float] = []
    private var windows: [OrbitWindows?]

    public var targets: [String] { model.config.targets }
    public var stepsPerEpoch: Int { (split.train.count + options.batchStructures - 1) / options.batchStructures }
    public var totalSteps: Int { stepsPerEpoch * options.epochs }
    public var completedEpochs: Int { state.epoch }

    /// A new run: splits the dataset, sets the target normalisation from the training
    /// labels (mean, population std; std 1 for a constant target; of label × density for
    /// `perVolume` targets) and initialises the model from `config` (its targets are
    /// replaced by the dataset's).
    public convenience init(dataset: LabelledDataset, config: ModelConfig, options: TrainingOptions,
                            threads: Int = X3Threads.count) throws {
        try options.validate()
        let split = try Self.split(dataset, options)
        var c = config
        c.targets = dataset.labels.targets
        for t in 0..<c.targets.count {
            let ys = split.train.map { Trainer.networkLabel(dataset, c, $0, t) }
            let mean = ys.reduce(0, +) / Double(ys.count)
            let variance = ys.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(ys.count)
            c.targetMean[t] = mean
            c.targetStd[t] = variance > 0 ? variance.squareRoot() : 1
        }
        try requireBLAS()
        let model = try EquiformerModel<Float>(config: c)
        self.init(dataset: dataset, options: options, split: split, model: model, threads: threads)
    }

    /// A new run that starts from the weights of `initial` (to fine-tune a model, or to
    /// draw a warm-started snapshot ensemble around it): its configuration and target
    /// normalisation are kept, and the dataset's targets must be the model's, in its order.
    /// The split comes from `options` as in any run: give the seed and fractions that
    /// `initial` was trained with to keep its validation and test structures held out.
    public convenience init(dataset: LabelledDataset, initialModel initial: EquiformerModel<Float>, options: TrainingOptions,
                            threads: Int = X3Threads.count) throws {
        try options.validate()
        try Self.requireTargets(dataset.labels.targets, of: initial, named: "the initial model")
        let split = try Self.split(dataset, options)
        try requireBLAS()
        self.init(dataset: dataset, options: options, split: split, model: initial, threads: threads)
    }

    /// The model file at `path` as the initial model of a run learning `targets`: one
    /// model (not an ensemble) that predicts exactly those targets, in that order. Check
    /// it before reading the data, which can take minutes.
    public static func initialModel(path: String, targets: [String]) throws -> EquiformerModel<Float> {
        let model = try ModelFile.load(path: path)
        try requireTargets(targets, of: model, named: path)
        return model
    }

    private static func requireTargets(_ targets: [String], of model: EquiformerModel<Float>, named name: String) throws {
        guard targets == model.config.targets else {
            throw X3Error(.invalidArgument, "\(name) predicts \(model.config.targets.joined(separator: ", ")) but the targets "
                          + "given are \(targets.joined(separator: ", ")): give the model's targets, in its order")
        }
    }

    /// The seeded split of `options` (validation, test, folds, training limit).
    private static func split(_ dataset: LabelledDataset, _ options: TrainingOptions) throws -> DataSplit {
        try DataSplit.make(count: dataset.ids.count, validation: options.validationFraction, test: options.testFraction,
                           seed: options.seed, folds: options.folds, fold: options.fold)
            .limitingTraining(to: options.trainingLimit, seed: options.seed)
    }

    /// `optimizer`: a resumed run's; nil for a new one (fresh AdamW moments).
    init(dataset: LabelledDataset, options: TrainingOptions, split: DataSplit, model: EquiformerModel<Float>,
         optimizer: AdamW? = nil, threads: Int) {
        self.dataset = dataset
        self.options = options
        self.split = split
        self.model = model
        self.optimizer = optimizer ?? AdamW(parameters: model.params.count, learningRate: options.learningRate,
                                            weightDecay: options.weightDecay)
        self.threads = max(1, threads)
        averaged = options.emaDecay > 0 ? model.params.values : []
        windows = Array(repeating: nil, count: dataset.ids.count)
    }

    /// The weights validation and the saved models use: the moving average when on.
    var evaluatedParams: [Float] { averaged.isEmpty ? model.params.values : averaged }

    // MARK: running

    /// Trains until the last epoch, or until `progress` returns false or `timeBudget`
    /// seconds have passed (then a checkpoint is written at the step reached and the
    /// result says `finished == false`).
    public func run(directory: String, timeBudget: Double? = nil,
                    progress: ((TrainingProgress) -> Bool)? = nil) throws -> TrainingResult {
        try requireBLAS()
        let start = monotonicSeconds()
        let secondsBefore = state.trainingSeconds
        try FileIO.makeDirectory(directory)
        try writeSplit(directory + "/split.csv")
        var report = TrainingProgress(phase: .windows, epoch: state.epoch + 1, epochs: options.epochs, step: state.stepInEpoch,
                                      stepsPerEpoch: stepsPerEpoch, done: 0, total: 0, loss: .nan,
                                      validation: history.last?.validation, elapsed: 0, eta: nil)
        var stopped = false
        func tell(_ r: TrainingProgress) {
            guard let progress else { return }
            var r = r
            r.elapsed = monotonicSeconds() - start
            if !progress(r) { stopped = true }
        }
        try prepareWindows(split.train + split.validation) { done, total in
            report.done = done; report.total = total
            tell(report)
        }
        var stepSeconds = 0.0, stepsTimed = 0, validationSeconds = 0.0, validations = 0
        while state.epoch < options.epochs {
            let order = epochOrder(state.epoch)
            while state.stepInEpoch < stepsPerEpoch {
                if stopped || (timeBudget.map { monotonicSeconds() - start >= $0 } ?? false) {
                    state.trainingSeconds = secondsBefore + monotonicSeconds() - start
                    try writeCheckpoint(directory)
                    return TrainingResult(finished: false, epochsDone: state.epoch, bestEpoch: state.bestEpoch, validation: [], test: [],
                                          seconds: monotonicSeconds() - start)
                }
                let t0 = monotonicSeconds()
                let b = options.batchStructures
                let batch = Array(order[(state.stepInEpoch * b)..<min(order.count, (state.stepInEpoch + 1) * b)])
                let lr = options.learningRate(step: state.globalStep, total: totalSteps)
                let loss = try trainStep(batch, seed: mix(options.seed, UInt64(state.epoch), UInt64(state.stepInEpoch)), learningRate: lr)
                state.epochLossSum += loss
                state.epochLossCount += 1
                state.stepInEpoch += 1
                state.globalStep += 1
                stepSeconds += monotonicSeconds() - t0
                stepsTimed += 1
                report.phase = .training
                report.epoch = state.epoch + 1
                report.step = state.stepInEpoch
                report.loss = state.epochLossSum / Double(state.epochLossCount)
                let stepsLeft = totalSteps - state.globalStep
                report.eta = stepSeconds / Double(stepsTimed) * Double(stepsLeft)
                    + validationSeconds / Double(max(1, validations)) * Double(options.epochs - state.epoch)
                tell(report)
            }
            // end of epoch: validate, keep the best, log, checkpoint
            let t0 = monotonicSeconds()
            report.phase = .validating
            let pred = try predict(split.validation, windowsPerStructure: options.validationWindows,
                                   params: averaged.isEmpty ? nil : averaged, progress: { d, n in
                report.done = d; report.total = n
                tell(report)
            })
            validationSeconds += monotonicSeconds() - t0
            validations += 1
            let metrics = self.metrics(of: pred, split.validation)
            let score = selectionScore(metrics)
            let isBest = split.validation.isEmpty ? true : score < state.bestScore
            if isBest {
                state.bestScore = score
                state.bestEpoch = state.epoch + 1
                bestParams = evaluatedParams
                var best = model
                best.params.values = bestParams
                try ModelFile.save(best, path: directory + "/model.safetensors")
            }
            if let k = snapshotEnding(epoch: state.epoch + 1) {
                var snapshot = model
                snapshot.params.values = evaluatedParams
                try ModelFile.save(snapshot, path: directory + "/" + Trainer.snapshotName(k))
            }
            state.trainingSeconds = secondsBefore + monotonicSeconds() - start
            history.append(EpochRecord(epoch: state.epoch + 1, steps: state.globalStep,
                                       learningRate: options.learningRate(step: max(0, state.globalStep - 1), total: totalSteps),
                                       trainLoss: state.epochLossSum / Double(max(1, state.epochLossCount)), validation: metrics,
                                       score: score, seconds: state.trainingSeconds, best: isBest))
            state.epoch += 1
            state.stepInEpoch = 0
            state.epochLossSum = 0
            state.epochLossCount = 0
            try writeCheckpoint(directory)
            try writeMetrics(directory + "/metrics.csv")
            report.phase = .epochEnd
            report.validation = metrics
            report.eta = stepSeconds / Double(max(1, stepsTimed)) * Double(totalSteps - state.globalStep)
                + validationSeconds / Double(validations) * Double(options.epochs - state.epoch)
            tell(report)
        }
        // the end: on all windows of the held-out sets, the best model or the snapshots
        report.phase = .validating
        var ensemble: ModelEnsemble?
        var members: [[Float]]
        if options.snapshots > 1 {
            let snapshots = try (1...options.snapshots).map { try ModelFile.load(path: directory + "/" + Trainer.snapshotName($0)) }
            ensemble = try ModelEnsemble(members: snapshots)
            members = snapshots.map(\.params.values)
        } else {
            members = [bestParams.isEmpty ? model.params.values : bestParams]
        }
        var evaluation: [HeldOutPredictions] = []
        // each finished pass (member × set) is saved, so a stop loses only the pass under way
        let progressPath = directory + "/" + Trainer.finalProgressName
        var done = FinalEvaluationProgress.load(path: progressPath)
        for (name, set) in [("validation", split.validation), ("test", split.test)] where !set.isEmpty {
            if name == "test" { try prepareWindows(set) { _, _ in } }
            var held = HeldOutPredictions(name: name, set: set, members: [])
            let ids = set.map { dataset.ids[$0] }
            for (k, params) in members.enumerated() {
                let weights = FinalEvaluationProgress.checksum(params)
                if let p = done.predictions(set: name, member: k, weights: weights, ids: ids) {
                    held.members.append(p)
                    continue
                }
                let p = try predict(set, windowsPerStructure: 0, params: params, continuing: { d, n in
                    report.done = d; report.total = n
                    tell(report)
                    return !stopped
                })
                if let p {
                    held.members.append(p)
                    done.add(.init(set: name, member: k, weights: weights, ids: ids, predictions: p))
                    try done.save(path: progressPath)
                }
                guard p != nil, !stopped else {  // asked to stop: resuming goes on from the first pass not done
                    return TrainingResult(finished: false, epochsDone: state.epoch, bestEpoch: state.bestEpoch, validation: [],
                                          test: [], seconds: monotonicSeconds() - start)
                }
            }
            evaluation.append(held)
        }
        if var e = ensemble {
            // the spread calibrated on the validation set, which no snapshot was trained on
            if let v = evaluation.first(where: { $0.name == "validation" }), v.set.count >= 2 {
                e = try e.calibrated(actual: labels(v.set), predicted: v.mean, spread: v.spread!, rule: options.calibration)
            }
            try ModelFile.save(e, path: directory + "/" + Trainer.ensembleName)
            ensemble = e
        }
        let scale = ensemble?.spreadScale ?? []
        var metricsOf: [String: [RegressionMetrics]] = [:]
        for held in evaluation {
            let spread = held.spread.map { $0.map { zip($0, scale).map { $0 * $1 } } }
            try writePredictions(directory + "/predictions_\(held.name).csv", held.set, held.mean, spread: spread)
            metricsOf[held.name] = metrics(of: held.mean, held.set)
        }
        try writeEvaluation(directory + "/evaluation.json", evaluation, spreadScale: scale)
        unlink(progressPath)
        state.trainingSeconds = secondsBefore + monotonicSeconds() - start
        return TrainingResult(finished: true, epochsDone: state.epoch, bestEpoch: state.bestEpoch,
                              validation: metricsOf["validation"] ?? [], test: metricsOf["test"] ?? [],
                              seconds: monotonicSeconds() - start)
    }

    /// The snapshot (from 1) that the end of `epoch` (from 1) completes, if it ends a
    /// learning-rate cycle of a snapshot ensemble.
    private func snapshotEnding(epoch: Int) -> Int? {
        let cycle = options.epochs / options.snapshots
        return options.snapshots > 1 && epoch % cycle == 0 ? epoch / cycle : nil
    }

    /// The order of the training structures in epoch `e` (a seeded shuffle).
    private func epochOrder(_ e: Int) -> [Int] {
        var order = split.train
        var rng = SplitMix64(seed: mix(options.seed, UInt64(e), 0xE90C))
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            order.swapAt(i, Int(rng.next() % UInt64(i + 1)))
        }
        return order
    }

    /// One optimizer step on `batch` (dataset indices); returns the batch loss.
    private func trainStep(_ batch: [Int], seed: UInt64, learningRate lr: Double) throws -> Double {
        var rng = SplitMix64(seed: seed)
        var ws: [GraphBatch.Window] = [], draws: [WindowOrbits.Draw] = []
        for i in batch {
            let o = windows[i]!
            let d = o.orbits.draw(options.windowsPerStructure, rng: &rng)
            for p in d.picks { ws.append(GraphBatch.Window(o.windows, p.orbit)) }
            draws.append(d)
        }
        let parts = model.batches(ws, parts: threads)
        let tapes = model.forward(parts, threads: threads)
        let T = targets.count
        var out: [Float] = []
        out.reserveCapacity(ws.count * T)
        for tape in tapes { for k in 0..<(tape.batch.windows * T) { out.append(tape.outputs[k]) } }
        // loss on each structure's mean contribution, and its gradient per window output
        var gradOut = [Float](repeating: 0, count: ws.count * T)
        var loss = 0.0, first = 0
        let scale = 1.0 / Double(batch.count * T)
        for (b, i) in batch.enumerated() {
            let picks = draws[b].picks, k = picks.count, denominator = Double(draws[b].denominator)
            for t in 0..<T {
                // the structure's mean: orbits weighted by the grid points they stand for
                var mean = 0.0
                for (j, p) in picks.enumerated() { mean += Double(p.count) * Double(out[(first + j) * T + t]) }
                mean /= denominator
                let y = (Self.networkLabel(dataset, model.config, i, t) - model.config.targetMean[t]) / model.config.targetStd[t]
                let d = mean - y
                let g: Double
                switch options.loss {
                case .l1: loss += abs(d) * scale; g = (d > 0 ? 1 : d < 0 ? -1 : 0) * scale
                case .mse: loss += d * d * scale; g = 2 * d * scale
                }
                for (j, p) in picks.enumerated() { gradOut[(first + j) * T + t] = Float(g * Double(p.count) / denominator) }
            }
            first += k
        }
        var grads: [[Float]] = [], at = 0
        for tape in tapes {
            let n = tape.batch.windows * T
            grads.append(Array(gradOut[at..<(at + n)]))
            at += n
        }
        var grad = [Float](repeating: 0, count: model.params.count)
        model.backward(tapes, outputGradients: grads, into: &grad, threads: threads)
        var norm = 0.0
        for g in grad { norm += Double(g) * Double(g) }
        norm = norm.squareRoot()
        guard loss.isFinite && norm.isFinite else {
            // refuse the update: the model and the last checkpoint stay valid
            throw X3Error(.invalidArgument, "training diverged at epoch \(state.epoch + 1), step \(state.stepInEpoch + 1) "
                          + "(loss \(loss), gradient norm \(norm)); the checkpoint of the last epoch is intact: "
                          + "start again with a lower learning rate (now \(options.learningRate)) or with clipping")
        }
        if options.clipNorm > 0 {
            if norm > options.clipNorm {
                let s = Float(options.clipNorm / norm)
                for k in 0..<grad.count { grad[k] *= s }
            }
        }
        optimizer.learningRate = lr
        optimizer.update(&model.params.values, grad)
        if !averaged.isEmpty {
            // this is step state.globalStep (from 0): the average moves toward the weights by 1 − d
            let n = Double(state.globalStep)
            let d = Float(min(options.emaDecay, (1 + n) / (10 + n)))
            let w = model.params.values
            for i in averaged.indices { averaged[i] += (1 - d) * (w[i] - averaged[i]) }
        }
        return loss
    }

    /// Predictions [structure × target] (target units) for dataset indices `set`, each the
    /// mean over all its windows or over a fixed seeded subset of `windowsPerStructure`.
    private func predict(_ set: [Int], windowsPerStructure k: Int, params: [Float]?,
                         progress: (Int, Int) -> Void) throws -> [[Double]] {
        try predict(set, windowsPerStructure: k, params: params, continuing: { d, n in
            progress(d, n)
            return true
        })!
    }

    /// As `predict`, but `progress(done, total)` may stop the evaluation between slices by
    /// returning false: then nil.
    private func predict(_ set: [Int], windowsPerStructure k: Int, params: [Float]?,
                         continuing progress: (Int, Int) -> Bool) throws -> [[Double]]? {
        guard !set.isEmpty else { return [] }
        var m = model
        if let params { m.params.values = params }
        let draws = set.map { i in
            var rng = SplitMix64(seed: mix(options.seed, UInt64(i), 0x7A11D))
            return windows[i]!.orbits.draw(k, rng: &rng)
        }
        guard let c = InferenceEngine(model: m, threads: threads)
            .contributions(set.map { windows[$0]!.windows }, subsets: draws.map { $0.picks.map(\.orbit) }, continuing: progress)
        else { return nil }
        let T = targets.count
        return set.indices.map { i in
            let scale = m.config.contributionScale(density: dataset.structures[set[i]].density)
            return (0..<T).map { t in
                var sum = 0.0
                for (j, p) in draws[i].picks.enumerated() { sum += Double(p.count) * c[i][j * T + t] }
                return sum / Double(draws[i].denominator) * scale[t]
            }
        }
    }

    /// What a network of `config` learns for structure i and target t: the label, times the
    /// structure's density (g/cm³) for `perVolume` targets.
    static func networkLabel(_ dataset: LabelledDataset, _ config: ModelConfig, _ i: Int, _ t: Int) -> Double {
        dataset.label(i, t) * (config.perVolume[t] ? dataset.structures[i].density : 1)
    }

    func metrics(of pred: [[Double]], _ set: [Int]) -> [RegressionMetrics] {
        (0..<targets.count).map { t in
            RegressionMetrics(predicted: pred.map { $0[t] }, actual: set.map { dataset.label($0, t) })
        }
    }

    private func selectionScore(_ m: [RegressionMetrics]) -> Double {
        guard !m.isEmpty, m[0].count > 0 else { return 0 }
        return zip(m, model.config.targetStd).map { $0.mae / $1 }.reduce(0, +) / Double(m.count)
    }

    /// Cuts the structures of `set` that are not cut yet into windows (in parallel).
    private func prepareWindows(_ set: [Int], progress: (Int, Int) -> Void) throws {
        let todo = set.filter { windows[$0] == nil }
        guard !todo.isEmpty else { return }
        let results = TaskResults<Result<OrbitWindows, Error>>(count: todo.count)
        let config = model.config, symmetry = options.symmetryOptions
        var done = 0
        let chunk = 64
        var lo = 0
        while lo < todo.count {
            let hi = min(todo.count, lo + chunk), base = lo
            let structures = dataset.structures
            parallelFor(tasks: hi - lo, threads: threads) { j in
                let s = structures[todo[base + j]]
                results[base + j] = Result {
                    try OrbitWindows(s, radius: config.windowRadius, step: config.windowStep, symmetry: symmetry)
                }
            }
            for j in lo..<hi {
                switch results[j]! {
                case .success(let w): windows[todo[j]] = w
                case .failure(let e):
                    let message = (e as? X3Error)?.message ?? "\(e)"
                    throw X3Error((e as? X3Error)?.status ?? .internal, "\(dataset.ids[todo[j]]): \(message)")
                }
            }
            done = hi
            progress(done, todo.count)
            lo = hi
        }
    }

    /// Windows cut so far and the atoms they hold (the in-memory cache).
    public var cachedWindows: (structures: Int, windows: Int, atoms: Int) {
        windows.reduce((0, 0, 0)) { acc, w in
            guard let w else { return acc }
            return (acc.0 + 1, acc.1 + w.windows.count, acc.2 + w.windows.totalAtoms)
        }
    }
}

/// A 64-bit mix of a seed and two counters (SplitMix64's finaliser over their sum), so
/// every (epoch, step) has its own independent stream.
func mix(_ seed: UInt64, _ a: UInt64, _ b: UInt64) -> UInt64 {
    var r = SplitMix64(seed: seed ^ (a &* 0x9E3779B97F4A7C15) ^ (b &* 0xC2B2AE3D27D4EB4F))
    return r.next()
}

/// Where a run stands: enough, with the model and optimizer, to continue it exactly.
struct TrainerState: Sendable {
    /// Epochs completed, and steps done in the epoch after them.
    var epoch = 0, stepInEpoch = 0, globalStep = 0
    var epochLossSum = 0.0, epochLossCount = 0
    var bestScore = Double.infinity, bestEpoch = 0
    var trainingSeconds = 0.0
}
