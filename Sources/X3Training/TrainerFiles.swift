import X3Core
import X3Network

// The trainer's files: checkpoint (with the whole training state), metrics log, split,
// predictions, evaluation and the final evaluation's progress. Each is written atomically.

extension Trainer {
    public static let checkpointName = "checkpoint.safetensors"
    /// The snapshot ensemble's members (K from 1) and the ensemble of them.
    public static func snapshotName(_ k: Int) -> String { "snapshot-\(k).safetensors" }
    public static let ensembleName = "ensemble.safetensors"
    /// The passes of the final evaluation done so far (`FinalEvaluationProgress`), removed
    /// when evaluation.json is written.
    public static let finalProgressName = "final-evaluation-progress.json"

    /// The training state stored in a checkpoint's metadata under "training".
    func stateJSON() -> JSONValue {
        func ids(_ set: [Int]) -> JSONValue { .array(set.map { .string(dataset.ids[$0]) }) }
        return .object([
            ("options", options.json), ("threads", .number(Double(threads))),
            ("split", .object([("train", ids(split.train)), ("validation", ids(split.validation)), ("test", ids(split.test))])),
            ("epoch", .number(Double(state.epoch))), ("step_in_epoch", .number(Double(state.stepInEpoch))),
            ("global_step", .number(Double(state.globalStep))),
            ("epoch_loss_sum", .finite(state.epochLossSum)), ("epoch_loss_count", .number(Double(state.epochLossCount))),
            ("best_score", .finite(state.bestScore)), ("best_epoch", .number(Double(state.bestEpoch))),
            ("training_seconds", .number(state.trainingSeconds)),
            ("optimizer_step", .number(Double(optimizer.step))),
            ("history", .array(history.map(\.json))),
        ])
    }

    func writeCheckpoint(_ directory: String) throws {
        let (m, v) = (optimizer.m, optimizer.v)
        var metadata = [("training", stateJSON().text)]
        var extras: ModelFile.Extras = [("optimizer.m", m), ("optimizer.v", v)]
        if !averaged.isEmpty {
            metadata.append(("weights_average", "1"))
            extras.append((ModelFile.averageTensor, averaged))
        }
        let bytes = ModelFile.bytes(model, format: ModelFile.checkpointFormat, metadata: metadata, extras: extras)
        try FileIO.writeAtomically(path: directory + "/" + Trainer.checkpointName, bytes: bytes)
    }

    /// Continues the run saved in `directory` (its checkpoint, and its best model for the
    /// final evaluation). The dataset must hold every structure of the saved split, with
    /// the same targets. `threads` defaults to the saved count; another count continues
    /// correctly but not bit for bit.
    public static func resume(directory: String, dataset: LabelledDataset, threads: Int? = nil) throws -> Trainer {
        let path = directory + "/" + checkpointName
        let c = try ModelFile.read(bytes: try FileIO.readBytes(path: path), source: path,
                                   formats: [ModelFile.checkpointFormat])
        guard let text = c.metadata["training"] else { throw X3Error(.parse, "\(path): no training state in the metadata") }
        let s = try JSONValue.parse(text, source: path + " (training state)")
        func fail(_ what: String) -> X3Error { X3Error(.parse, "\(path): training state: \(what)") }
        func num(_ k: String) throws -> Double {
            guard let d = s[k]?.number else { throw fail("'\(k)' is missing or not a number") }
            return d
        }
        func numOrInfinity(_ k: String) -> Double { s[k]?.number ?? .infinity }  // null: no best yet
        guard let o = s["options"] else { throw fail("'options' is missing") }
        let options = try TrainingOptions(json: o, source: path + " (training options)")
        guard dataset.labels.targets == c.model.config.targets else {
            throw X3Error(.invalidArgument, "\(path): the model was trained on targets \(c.model.config.targets.joined(separator: ", ")) "
                          + "but the dataset has \(dataset.labels.targets.joined(separator: ", "))")
        }
        var index: [String: Int] = [:]
        for (i, id) in dataset.ids.enumerated() { index[id] = i }
        func set(_ name: String) throws -> [Int] {
            guard let a = s["split"]?[name]?.array else { throw fail("split '\(name)' is missing") }
            return try a.map { v in
                guard let id = v.string else { throw fail("split '\(name)' holds a non-string id") }
                guard let i = index[id] else {
                    throw X3Error(.invalidArgument, "\(path): structure '\(id)' of the saved \(name) set is not in the dataset "
                                  + "(resume with the same data folder and labels)")
                }
                return i
            }
        }
        let split = DataSplit(train: try set("train"), validation: try set("validation"), test: try set("test"))
        var state = TrainerState()
        state.epoch = Int(try num("epoch"))
        state.stepInEpoch = Int(try num("step_in_epoch"))
        state.globalStep = Int(try num("global_step"))
        state.epochLossSum = try num("epoch_loss_sum")
        state.epochLossCount = Int(try num("epoch_loss_count"))
        state.bestScore = numOrInfinity("best_score")
        state.bestEpoch = Int(try num("best_epoch"))
        state.trainingSeconds = try num("training_seconds")
        let optimizer = AdamW(restoring: c.extras["optimizer.m"]!, c.extras["optimizer.v"]!, step: Int(try num("optimizer_step")),
                              learningRate: options.learningRate, weightDecay: options.weightDecay)
        let history = try (s["history"]?.array ?? []).map { try EpochRecord(json: $0, source: path) }
        let savedThreads = Int(try num("threads"))
        let t = Trainer(dataset: dataset, options: options, split: split, model: c.model, optimizer: optimizer,
                        threads: threads ?? savedThreads)
        t.state = state
        t.history = history
        if options.emaDecay > 0 {
            guard let average = c.extras[ModelFile.averageTensor] else {
                throw fail("the options average the weights (ema_decay \(options.emaDecay)) but the checkpoint holds no average")
            }
            t.averaged = average
        }
        let best = directory + "/model.safetensors"
        if state.bestEpoch > 0 && FileIO.isFile(best) {
            t.bestParams = try ModelFile.load(path: best).params.values
        }
        return t
    }

    func writeMetrics(_ path: String) throws {
        var header = ["epoch", "steps", "learning_rate", "train_loss"]
        for t in targets { header += ["val_mae_\(t)", "val_rmse_\(t)", "val_r2_\(t)"] }
        header += ["val_score", "seconds", "best"]
        var lines = [header.joined(separator: ",")]
        for r in history {
            var f = [String(r.epoch), String(r.steps), "\(r.learningRate)", "\(r.trainLoss)"]
            for m in r.validation { f += ["\(m.mae)", "\(m.rmse)", "\(m.r2)"] }
            f += ["\(r.score)", formatFixed(r.seconds, 2), r.best ? "1" : "0"]
            lines.append(f.joined(separator: ","))
        }
        try FileIO.writeAtomically(path: path, text: lines.joined(separator: "\n") + "\n")
    }

    func writeSplit(_ path: String) throws {
        var lines = ["id,set"]
        for (name, set) in [("train", split.train), ("validation", split.validation), ("test", split.test)] {
            for i in set { lines.append("\(csvField(dataset.ids[i])),\(name)") }
        }
        try FileIO.writeAtomically(path: path, text: lines.joined(separator: "\n") + "\n")
    }

    /// Labels [structure][target] of dataset indices `set`.
    func labels(_ set: [Int]) -> [[Double]] { set.map { i in (0..<targets.count).map { dataset.label(i, $0) } } }

    func writePredictions(_ path: String, _ set: [Int], _ pred: [[Double]], spread: [[Double]]? = nil) throws {
        try FileIO.writeAtomically(path: path, text: ParityTable.csv(ids: set.map { dataset.ids[$0] }, targets: targets,
                                                                      actual: labels(set), predicted: pred, spread: spread))
    }

    /// evaluation.json: the best epoch and, per held-out set, the metrics of the prediction
    /// (the best model's, or a snapshot ensemble's mean); for an ensemble also its spread
    /// scale per target, each member's metrics and the shares of labels within ±1σ and ±2σ
    /// of the calibrated spread.
    func writeEvaluation(_ path: String, _ sets: [HeldOutPredictions], spreadScale: [Double]) throws {
        var items: [(String, JSONValue)] = [("best_epoch", .number(Double(state.bestEpoch))),
                                            ("epochs", .number(Double(state.epoch)))]
        if !spreadScale.isEmpty {
            items.append(("snapshots", .number(Double(options.snapshots))))
            items.append(("spread_scale", .object(zip(targets, spreadScale).map { ($0, .number($1)) })))
        }
        for held in sets {
            let mean = held.mean
            var fields: [(String, JSONValue)] = [
                ("count", .number(Double(held.set.count))),
                ("targets", .object(zip(targets, metrics(of: mean, held.set)).map { ($0, $1.json) })),
            ]
            if let spread = held.spread {
                let actual = labels(held.set)
                fields.append(("calibration", .object(targets.indices.map { t in
                    let c = ParityTable.calibration(actual: actual.map { $0[t] }, predicted: mean.map { $0[t] },
                                                    spread: spread.map { $0[t] * spreadScale[t] })
                    return (targets[t], .object([("within_1_sigma", .number(c.one)), ("within_2_sigma", .number(c.two))]))
                })))
                fields.append(("members", .array(held.members.map { m in
                    .object(zip(targets, metrics(of: m, held.set)).map { ($0, $1.json) })
                })))
            }
            items.append((held.name, .object(fields)))
        }
        try FileIO.writeAtomically(path: path, text: JSONValue.object(items).text + "\n")
    }
}

extension RegressionMetrics {
    public var json: JSONValue {
        .object([("count", .number(Double(count))), ("mae", .finite(mae)), ("rmse", .finite(rmse)), ("r2", .finite(r2))])
    }

    init(json: JSONValue, source: String) throws {
        guard let n = json["count"]?.number else { throw X3Error(.parse, "\(source): metrics without 'count'") }
        self.init(count: Int(n), mae: json["mae"]?.number ?? .nan, rmse: json["rmse"]?.number ?? .nan,
                  r2: json["r2"]?.number ?? .nan)
    }
}

extension EpochRecord {
    var json: JSONValue {
        .object([("epoch", .number(Double(epoch))), ("steps", .number(Double(steps))), ("learning_rate", .number(learningRate)),
                 ("train_loss", .finite(trainLoss)), ("validation", .array(validation.map(\.json))), ("score", .finite(score)),
                 ("seconds", .number(seconds)), ("best", .bool(best))])
    }

    init(json: JSONValue, source: String) throws {
        func num(_ k: String) throws -> Double {
            guard let v = json[k] else { throw X3Error(.parse, "\(source): epoch record without '\(k)'") }
            return v.number ?? .nan
        }
        self.init(epoch: Int(try num("epoch")), steps: Int(try num("steps")), learningRate: try num("learning_rate"),
                  trainLoss: try num("train_loss"),
                  validation: try (json["validation"]?.array ?? []).map { try RegressionMetrics(json: $0, source: source) },
                  score: try num("score"), seconds: try num("seconds"), best: json["best"]?.bool ?? false)
    }
}
