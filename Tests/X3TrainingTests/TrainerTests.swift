import Testing
import X3Core
import X3Inference
import X3Network
import X3TestSupport
import X3Training

/// A network small enough to train in a test (about 5k parameters) with few windows per
/// structure (a 5 Å step).
func tinyOptions() -> TrainingOptions {
    var o = TrainingOptions()
    o.epochs = 3; o.batchStructures = 3; o.windowsPerStructure = 2; o.validationFraction = 0.25; o.validationWindows = 3
    o.seed = 7
    return o
}

/// The metrics log without its wall-clock column, for comparing runs.
func metricsWithoutSeconds(_ dir: String) throws -> [[String]] {
    let t = try CSVTable.read(path: dir + "/metrics.csv")
    let s = t.columns.firstIndex(of: "seconds")!
    return t.rows.map { r in r.enumerated().filter { $0.offset != s }.map(\.element) }
}

/// The trainer: seeded splits and schedules checked by hand, reproducible runs, and runs
/// interrupted and resumed that end bit for bit where uninterrupted ones do.
struct TrainerTests {
    @Test func splitIsSeededDisjointAndSized() throws {
        let s = try DataSplit.make(count: 190, validation: 0.2, test: 0.1, seed: 3)
        #expect(s.validation.count == 38 && s.test.count == 19 && s.train.count == 133)
        #expect(Set(s.train + s.validation + s.test) == Set(0..<190))
        #expect(try DataSplit.make(count: 190, validation: 0.2, test: 0.1, seed: 3) == s)
        #expect(try DataSplit.make(count: 190, validation: 0.2, test: 0.1, seed: 4) != s)
        #expect(try DataSplit.make(count: 5, validation: 0.01, test: 0, seed: 0).validation.count == 1)
        // training limits: nested seeded subsets, validation untouched
        let small = s.limitingTraining(to: 30, seed: 3), large = s.limitingTraining(to: 90, seed: 3)
        #expect(small.train.count == 30 && large.train.count == 90 && Set(small.train).isSubset(of: Set(large.train)))
        #expect(small.validation == s.validation && Set(large.train).isSubset(of: Set(s.train)))
        #expect(s.limitingTraining(to: 0, seed: 3) == s && s.limitingTraining(to: 500, seed: 3) == s)
        expectX3Error(.invalidArgument, mentioning: ["2 structures", "at least one for training"]) {
            _ = try DataSplit.make(count: 2, validation: 0.5, test: 0.4, seed: 0)
        }
    }

    /// k-fold cross-validation: the k validation sets partition the structures outside the
    /// test set (sizes ⌊190·0.9/5⌋ or one more: 171 = 34 + 34 + 34 + 34 + 35), the test set
    /// is the same in every fold, and a bad fold or count is refused.
    @Test func foldsPartitionTheStructuresOutsideTheTestSet() throws {
        let splits = try (0..<5).map { try DataSplit.make(count: 190, validation: 0.2, test: 0.1, seed: 3, folds: 5, fold: $0) }
        let held = splits.flatMap(\.validation)
        #expect(held.count == 171 && Set(held).count == 171)
        #expect(splits.map(\.validation.count) == [34, 34, 34, 34, 35])
        for s in splits {
            #expect(s.test == splits[0].test && s.test.count == 19)
            #expect(Set(s.train).isDisjoint(with: s.validation) && Set(s.train + s.validation + s.test) == Set(0..<190))
        }
        #expect(Set(held).isDisjoint(with: splits[0].test))
        expectX3Error(.invalidArgument, mentioning: ["4 structures", "5 folds"]) {
            _ = try DataSplit.make(count: 4, validation: 0.2, test: 0, seed: 0, folds: 5, fold: 0)
        }
        var o = TrainingOptions()
        o.folds = 1
        expectX3Error(.invalidArgument, mentioning: ["folds = 1"]) { try o.validate() }
        o.folds = 5; o.fold = 5
        expectX3Error(.invalidArgument, mentioning: ["fold = 5", "0 ..< 5"]) { try o.validate() }
        o.folds = 0; o.fold = 2
        expectX3Error(.invalidArgument, mentioning: ["fold = 2 needs folds >= 2"]) { try o.validate() }
        o.folds = 5; o.fold = 4
        try o.validate()
    }

    /// Warm-up and cosine, derived by hand: lr = 1, 10 % warm-up of 21 steps → 2 warm-up
    /// steps (0.5, 1), then cos decay over steps 2…20 (span 18) to the final fraction 0.1.
    @Test func learningRateScheduleWarmsUpThenDecaysByCosine() {
        var o = TrainingOptions()
        o.learningRate = 1; o.warmupFraction = 0.1; o.finalLearningRateFraction = 0.1
        #expect(o.learningRate(step: 0, total: 21) == 0.5)
        #expect(o.learningRate(step: 1, total: 21) == 1)
        #expect(o.learningRate(step: 2, total: 21) == 1)
        #expect(abs(o.learningRate(step: 11, total: 21) - 0.55) < 1e-12)  // p = 1/2: 0.1 + 0.9 · 0.5
        #expect(abs(o.learningRate(step: 20, total: 21) - 0.1) < 1e-12)
    }

    /// A snapshot ensemble's schedule is the one-cycle schedule above run three times: step
    /// 21k + j of 63 has the learning rate of step j of 21, so each cycle warms up again
    /// from 0.5 and ends at the final fraction.
    @Test func learningRateScheduleRestartsInEverySnapshotCycle() {
        var o = TrainingOptions()
        o.learningRate = 1; o.warmupFraction = 0.1; o.finalLearningRateFraction = 0.1
        var three = o
        three.snapshots = 3
        for k in 0..<3 {
            for j in 0..<21 { #expect(three.learningRate(step: 21 * k + j, total: 63) == o.learningRate(step: j, total: 21)) }
        }
        #expect(three.learningRate(step: 21, total: 63) == 0.5 && abs(three.learningRate(step: 62, total: 63) - 0.1) < 1e-12)
    }

    /// MAE, RMSE and R² of ŷ = (1, 2, 3) against y = (1, 3, 5): errors (0, 1, 2) →
    /// MAE 1, RMSE √(5/3); ȳ = 3, Σ(y − ȳ)² = 8 → R² = 1 − 5/8.
    @Test func metricsMatchAHandComputation() {
        let m = RegressionMetrics(predicted: [1, 2, 3], actual: [1, 3, 5])
        #expect(m.mae == 1 && abs(m.rmse - (5.0 / 3).squareRoot()) < 1e-15 && m.r2 == 0.375)
        #expect(RegressionMetrics(predicted: [1, 2], actual: [2, 2]).r2.isNaN)
    }

    @Test func optionsRefuseBadValuesAndUnknownKeys() throws {
        let ok = try TrainingOptions(json: try JSONValue.parse("{\"epochs\": 5, \"loss\": \"mse\", \"seed\": \"18446744073709551615\", "
                                                               + "\"symmetry\": false, \"symmetry_tolerance\": 0.05}", source: "o"),
                                     source: "o")
        #expect(ok.epochs == 5 && ok.loss == .mse && ok.seed == UInt64.max && !ok.symmetry && ok.symmetryTolerance == 0.05)
        #expect(try TrainingOptions(json: ok.json, source: "round trip") == ok)
        for (text, word) in [("{\"epochs\": 0}", "epochs = 0"), ("{\"validation_fraction\": 0.6, \"test_fraction\": 0.4}", "sum below 1"),
                             ("{\"loss\": \"l3\"}", "\"l1\" or \"mse\""), ("{\"epoch\": 3}", "unknown training option 'epoch'"),
                             ("{\"learning_rate\": -1}", "learning_rate"), ("{\"symmetry\": \"yes\"}", "true or false"),
                             ("{\"symmetry_tolerance\": 0}", "symmetry_tolerance"), ("{\"symmetry_tolerance\": 0.6}", "symmetry_tolerance"),
                             ("{\"snapshots\": 0}", "snapshots = 0"), ("{\"epochs\": 5, \"snapshots\": 2}", "a multiple of the snapshots")] {
            do {
                _ = try TrainingOptions(json: try JSONValue.parse(text, source: "o"), source: "o")
                Issue.record("accepted \(text)")
            } catch let e as X3Error {
                #expect(e.message.contains(word), "\(e.message)")
            }
        }
    }

    @Test(.enabled(if: sharedData != nil)) func sameSeedAndThreadsGiveTheSameModel() throws {
        let data = try LabelledDataset.load(directory: sharedData! + "/iza", targets: ["ar_uptake_mol_kg"], limit: 12)
        let a = makeScratchDirectory("x3mat-train-a"), b = makeScratchDirectory("x3mat-train-b")
        let ta = try Trainer(dataset: data, config: tinyConfig(), options: tinyOptions(), threads: 2)
        let ra = try ta.run(directory: a)
        let tb = try Trainer(dataset: data, config: tinyConfig(), options: tinyOptions(), threads: 2)
        let rb = try tb.run(directory: b)
        #expect(ra.finished && rb.finished && ra.epochsDone == 3)
        #expect(ta.model.params.values == tb.model.params.values)
        #expect(ra.validation == rb.validation)
        #expect(try metricsWithoutSeconds(a) == metricsWithoutSeconds(b))
        #expect(try FileIO.readBytes(path: a + "/model.safetensors") == FileIO.readBytes(path: b + "/model.safetensors"))
        // normalisation from the training labels (population std)
        let ys = ta.split.train.map { data.label($0, 0) }
        let mean = ys.reduce(0, +) / Double(ys.count)
        #expect(abs(ta.model.config.targetMean[0] - mean) < 1e-12)
        // another seed: another split and model
        var o = tinyOptions()
        o.seed = 8
        let tc = try Trainer(dataset: data, config: tinyConfig(), options: o, threads: 2)
        #expect(tc.split != ta.split)
    }

    /// A run stopped mid-epoch (after 4 of 3 × 3 steps) and resumed from its checkpoint
    /// ends with the same model, bytes and metrics as an uninterrupted run; so does one
    /// stopped by a zero time budget before its first step. With and without a moving
    /// average of the weights (which the checkpoint must then carry).
    @Test(.enabled(if: sharedData != nil), arguments: [0.0, 0.8])
    func resumedRunEndsBitForBitLikeAnUninterruptedOne(emaDecay: Double) throws {
        let data = try LabelledDataset.load(directory: sharedData! + "/iza", targets: ["ar_uptake_mol_kg"], limit: 12)
        let full = makeScratchDirectory("x3mat-train-full"), cut = makeScratchDirectory("x3mat-train-cut")
        func tinyOptions() -> TrainingOptions {
            var o = X3TrainingTests.tinyOptions()
            o.emaDecay = emaDecay
            return o
        }
        let reference = try Trainer(dataset: data, config: tinyConfig(), options: tinyOptions(), threads: 2)
        _ = try reference.run(directory: full)

        var steps = 0
        let first = try Trainer(dataset: data, config: tinyConfig(), options: tinyOptions(), threads: 2)
        let r1 = try first.run(directory: cut) { p in
            if p.phase == .training { steps += 1 }
            return steps < 4
        }
        #expect(!r1.finished && first.completedEpochs == 1)
        #expect(first.model.params.values != reference.model.params.values)
        let resumed = try Trainer.resume(directory: cut, dataset: data)
        #expect(resumed.completedEpochs == 1 && resumed.threads == 2 && resumed.split == reference.split)
        let r2 = try resumed.run(directory: cut)
        #expect(r2.finished)
        #expect(resumed.model.params.values == reference.model.params.values)
        #expect(try FileIO.readBytes(path: cut + "/model.safetensors") == FileIO.readBytes(path: full + "/model.safetensors"))
        #expect(try metricsWithoutSeconds(cut) == metricsWithoutSeconds(full))
        #expect(try FileIO.readBytes(path: cut + "/predictions_validation.csv") == FileIO.readBytes(path: full + "/predictions_validation.csv"))

        // stopped during the final evaluation on all windows: resuming redoes only that
        let fin = makeScratchDirectory("x3mat-train-final")
        let f1 = try Trainer(dataset: data, config: tinyConfig(), options: tinyOptions(), threads: 2)
        let rf = try f1.run(directory: fin) { p in !(p.phase == .validating && f1.completedEpochs == 3) }
        #expect(!rf.finished && !FileIO.isFile(fin + "/evaluation.json"))
        let f2 = try Trainer.resume(directory: fin, dataset: data)
        #expect(try f2.run(directory: fin).finished)
        #expect(try FileIO.readBytes(path: fin + "/evaluation.json") == FileIO.readBytes(path: full + "/evaluation.json"))

        let zero = makeScratchDirectory("x3mat-train-zero")
        let z = try Trainer(dataset: data, config: tinyConfig(), options: tinyOptions(), threads: 2)
        #expect(try !z.run(directory: zero, timeBudget: 0).finished)
        let z2 = try Trainer.resume(directory: zero, dataset: data)
        _ = try z2.run(directory: zero)
        #expect(z2.model.params.values == reference.model.params.values)
    }

    /// The moving average of the weights follows its recurrence (recomputed here in Double
    /// from the weights after every step): the checkpoint holds it, and the saved model is
    /// the average at the best epoch. Without it a checkpoint holds no average.
    @Test(.enabled(if: sharedData != nil)) func movingAverageOfTheWeightsIsWhatIsValidatedAndSaved() throws {
        let data = try LabelledDataset.load(directory: sharedData! + "/iza", targets: ["ar_uptake_mol_kg"], limit: 12)
        var o = tinyOptions()
        o.emaDecay = 0.8
        let dir = makeScratchDirectory("x3mat-train-ema")
        let t = try Trainer(dataset: data, config: tinyConfig(), options: o, threads: 2)
        var average = t.model.params.values.map(Double.init), perEpoch: [[Double]] = [], step = 0
        _ = try t.run(directory: dir) { p in
            if p.phase == .training {
                let d = min(0.8, Double(1 + step) / Double(10 + step))
                for (i, w) in t.model.params.values.enumerated() { average[i] = d * average[i] + (1 - d) * Double(w) }
                step += 1
                if p.step == p.stepsPerEpoch { perEpoch.append(average) }
            }
            return true
        }
        #expect(step == 9 && perEpoch.count == 3)
        func close(_ a: [Float], _ b: [Double]) -> Bool {
            zip(a, b).allSatisfy { abs(Double($0) - $1) <= 1e-5 * max(1, abs($1)) }
        }
        let path = dir + "/checkpoint.safetensors"
        let checkpoint = try ModelFile.read(bytes: try FileIO.readBytes(path: path), source: path, formats: [ModelFile.checkpointFormat])
        let stored = try #require(checkpoint.extras[ModelFile.averageTensor])
        #expect(close(stored, average) && stored != t.model.params.values)
        let best = t.history.firstIndex { $0.epoch == t.history.filter(\.best).last!.epoch }!
        #expect(close(try ModelFile.load(path: dir + "/model.safetensors").params.values, perEpoch[best]))

        let plain = makeScratchDirectory("x3mat-train-no-ema")
        _ = try Trainer(dataset: data, config: tinyConfig(), options: tinyOptions(), threads: 2).run(directory: plain, timeBudget: 0)
        let bytes = try FileIO.readBytes(path: plain + "/checkpoint.safetensors")
        let extras = try ModelFile.read(bytes: bytes, source: "c", formats: [ModelFile.checkpointFormat]).extras
        #expect(extras.keys.sorted() == ["optimizer.m", "optimizer.v"])
    }

    /// A snapshot ensemble of three one-epoch cycles: snapshot K holds the weights at the
    /// end of epoch K (read from the trainer as it runs), every epoch ends at the final
    /// learning rate (each is a whole cycle), ensemble.safetensors holds the three in order
    /// (its calibration is checked against NumPy in Tests/cli/test_snapshot_ensemble.py),
    /// and a run stopped mid-cycle and resumed writes the same files bit for bit; so does
    /// one stopped in its final evaluation, which goes on from the first pass not kept.
    @Test(.enabled(if: sharedData != nil)) func snapshotEnsembleKeepsTheWeightsAtTheEndOfEachCycle() throws {
        let data = try LabelledDataset.load(directory: sharedData! + "/iza", targets: ["ar_uptake_mol_kg"], limit: 12)
        var o = tinyOptions()
        o.snapshots = 3
        let dir = makeScratchDirectory("x3mat-train-snapshots")
        let t = try Trainer(dataset: data, config: tinyConfig(), options: o, threads: 2)
        var atEpochEnd: [[Float]] = []
        _ = try t.run(directory: dir) { p in
            if p.phase == .epochEnd { atEpochEnd.append(t.model.params.values) }
            return true
        }
        #expect(atEpochEnd.count == 3 && atEpochEnd[0] != atEpochEnd[1])
        for r in t.history { #expect(abs(r.learningRate - o.learningRate * o.finalLearningRateFraction) < 1e-12) }
        let names = (1...3).map { dir + "/" + Trainer.snapshotName($0) }
        for (k, path) in names.enumerated() { #expect(try ModelFile.load(path: path).params.values == atEpochEnd[k]) }
        let ensemble = try ModelFile.loadEnsemble(path: dir + "/" + Trainer.ensembleName)
        #expect(ensemble.members.map(\.params.values) == atEpochEnd && ensemble.spreadScale[0] > 0)

        let cut = makeScratchDirectory("x3mat-train-snapshots-cut")
        var steps = 0
        let first = try Trainer(dataset: data, config: tinyConfig(), options: o, threads: 2)
        #expect(try !first.run(directory: cut) { p in
            if p.phase == .training { steps += 1 }
            return steps < 5
        }.finished)
        #expect(FileIO.isFile(cut + "/" + Trainer.snapshotName(1)) && !FileIO.isFile(cut + "/" + Trainer.snapshotName(2)))
        #expect(try Trainer.resume(directory: cut, dataset: data).run(directory: cut).finished)
        for k in 1...3 {
            #expect(try FileIO.readBytes(path: cut + "/" + Trainer.snapshotName(k)) == FileIO.readBytes(path: names[k - 1]))
        }
        #expect(try FileIO.readBytes(path: cut + "/" + Trainer.ensembleName) == FileIO.readBytes(path: dir + "/" + Trainer.ensembleName))

        // stopped in the final evaluation as its second pass (snapshot 2 on validation)
        // ends, the two finished passes are kept and resuming evaluates only snapshot 3,
        // with the same files; a kept pass whose weights are not the member's is evaluated
        // again, and an unreadable file counts as no pass done
        func stoppedAfterTwoPasses(_ name: String) throws -> String {
            let late = makeScratchDirectory(name)
            #expect(try finalPasses(Trainer(dataset: data, config: tinyConfig(), options: o, threads: 2), late, stoppingAfter: 2)
                    == (false, 2))
            return late
        }
        for (name, edit, evaluated) in [("x3mat-train-final-kept", nil, 1), ("x3mat-train-final-other-weights", "weights", 2),
                                        ("x3mat-train-final-unreadable", "garbage", 3)] as [(String, String?, Int)] {
            let late = try stoppedAfterTwoPasses(name)
            let progress = late + "/" + Trainer.finalProgressName
            let text = String(decoding: try FileIO.readBytes(path: progress), as: UTF8.self)
            #expect(text.components(separatedBy: "\"set\":\"validation\"").count == 3)
            if edit == "weights", let r = text.range(of: "\"weights\":\"crc32:") {
                let digits = r.upperBound..<text.index(r.upperBound, offsetBy: 8)
                try FileIO.writeAtomically(path: progress, text: text.replacingCharacters(in: digits, with: "00000000"))
            } else if edit == "garbage" {
                try FileIO.writeAtomically(path: progress, text: String(text.prefix(text.count / 2)))
            }
            #expect(try finalPasses(Trainer.resume(directory: late, dataset: data), late) == (true, evaluated))
            #expect(!FileIO.isFile(progress))
            for file in [Trainer.ensembleName, "evaluation.json", "predictions_validation.csv"] {
                #expect(try FileIO.readBytes(path: late + "/" + file) == FileIO.readBytes(path: dir + "/" + file))
            }
        }
    }

    /// Runs `t` into `directory`, counting the passes of its final evaluation (one model
    /// over one held-out set: the progress reports that end one) and stopping at the end
    /// of pass `limit`.
    private func finalPasses(_ t: Trainer, _ directory: String, stoppingAfter limit: Int = .max) throws -> (Bool, Int) {
        var n = 0
        let finished = try t.run(directory: directory) { p in
            guard p.phase == .validating, t.completedEpochs == t.options.epochs, p.total > 0, p.done == p.total else { return true }
            n += 1
            return n < limit
        }.finished
        return (finished, n)
    }

    /// A run from an initial model starts at its weights and keeps its target
    /// normalisation (a new run would take the training labels' mean and std), splits as
    /// any run with the same options, and refuses a dataset whose targets are not the
    /// model's.
    @Test(.enabled(if: sharedData != nil)) func runFromAnInitialModelStartsAtItsWeightsAndNormalisation() throws {
        let data = try LabelledDataset.load(directory: sharedData! + "/iza", targets: ["ar_uptake_mol_kg"], limit: 12)
        var c = tinyConfig()
        c.targets = ["ar_uptake_mol_kg"]
        c.targetMean = [42]; c.targetStd = [3]; c.seed = 5
        let initial = try EquiformerModel<Float>(config: c)
        let fresh = try Trainer(dataset: data, config: tinyConfig(), options: tinyOptions(), threads: 2)
        let t = try Trainer(dataset: data, initialModel: initial, options: tinyOptions(), threads: 2)
        #expect(t.model.params.values == initial.params.values && t.model.config == initial.config)
        #expect(fresh.model.config.targetMean != [42] && t.split == fresh.split)
        let dir = makeScratchDirectory("x3mat-train-init")
        #expect(try t.run(directory: dir).finished)
        #expect(try ModelFile.load(path: dir + "/model.safetensors").config.targetMean == [42])
        c.targets = ["y"]
        let other = try EquiformerModel<Float>(config: c)
        expectX3Error(.invalidArgument, mentioning: ["y", "ar_uptake_mol_kg"]) {
            _ = try Trainer(dataset: data, initialModel: other, options: tinyOptions(), threads: 2)
        }
    }

    /// A per-volume target: the network learns label × density, normalised with the mean
    /// of label × density over the training set (density checked against the label file's
    /// own, PoreBlazer's, to 0.1 %), and every prediction the trainer writes is the saved
    /// model's per-mass prediction, as the inference engine gives it, with its metrics.
    @Test(.enabled(if: sharedData != nil)) func perVolumeTargetsLearnLabelTimesDensity() throws {
        let data = try LabelledDataset.load(directory: sharedData! + "/iza", targets: ["ar_uptake_mol_kg"], limit: 12)
        let table = try CSVTable.read(path: sharedData! + "/iza/labels.csv")
        let id = table.columns.firstIndex(of: "framework")!, rho = table.columns.firstIndex(of: "density_g_cm3")!
        let poreBlazer = Dictionary(uniqueKeysWithValues: table.rows.map { ($0[id], Double($0[rho])) })
        var c = tinyConfig()
        c.perVolume = [true]
        var o = tinyOptions()
        o.epochs = 2; o.validationWindows = 0
        let dir = makeScratchDirectory("x3mat-train-per-volume")
        let t = try Trainer(dataset: data, config: c, options: o, threads: 2)
        let ys = t.split.train.map { i -> Double in
            let d = data.structures[i].density
            if let reference = poreBlazer[data.ids[i]] ?? nil { #expect(abs(d - reference) <= 1e-3 * reference) }
            return data.label(i, 0) * d
        }
        let mean = ys.reduce(0, +) / Double(ys.count)
        #expect(abs(t.model.config.targetMean[0] - mean) <= 1e-12 * mean && t.model.config.perVolume == [true])
        _ = try t.run(directory: dir)
        let saved = try ModelFile.load(path: dir + "/model.safetensors")
        #expect(saved.config.perVolume == [true])
        let rows = try CSVTable.read(path: dir + "/predictions_validation.csv")
        let column = rows.columns.firstIndex(of: "ar_uptake_mol_kg_predicted")!
        let written = Dictionary(uniqueKeysWithValues: rows.rows.map { ($0[0], Double($0[column])!) })
        let set = t.split.validation
        let engine = try InferenceEngine(model: saved, threads: 2)
            .predict(set.map { data.structures[$0] }, ids: set.map { data.ids[$0] })
        var absErrors = 0.0
        for (i, p) in zip(set, engine) {
            #expect(abs(written[data.ids[i]]! - p.property[0]) <= 1e-6 * abs(p.property[0]))
            absErrors += abs(p.property[0] - data.label(i, 0))
        }
        let best = t.history.filter(\.best).last!.validation[0].mae
        #expect(abs(best - absErrors / Double(set.count)) <= 1e-6 * best)
    }

    /// MSE training on all windows of four structures drives the training loss down:
    /// the loss, its gradient through the window mean and the optimizer work together.
    @Test(.enabled(if: sharedData != nil)) func trainingLowersTheTrainingLoss() throws {
        let data = try LabelledDataset.load(directory: sharedData! + "/iza", targets: ["ar_uptake_mol_kg"], limit: 4)
        var o = TrainingOptions()
        o.epochs = 150; o.batchStructures = 4; o.windowsPerStructure = 0; o.validationFraction = 0; o.loss = .mse
        o.learningRate = 1e-2; o.warmupFraction = 0
        let t = try Trainer(dataset: data, config: tinyConfig(), options: o, threads: 2)
        _ = try t.run(directory: makeScratchDirectory("x3mat-train-fit"))
        let first = t.history.first!.trainLoss, last = t.history.last!.trainLoss
        #expect(last < 0.1 * first, "training loss \(first) → \(last)")
    }

    @Test(.enabled(if: sharedData != nil)) func badResumesAreRefusedWithReasons() throws {
        let data = try LabelledDataset.load(directory: sharedData! + "/iza", targets: ["ar_uptake_mol_kg"], limit: 12)
        let dir = makeScratchDirectory("x3mat-train-bad")
        expectX3Error(.io, mentioning: ["checkpoint.safetensors", "cannot open"]) { _ = try Trainer.resume(directory: dir, dataset: data) }
        let t = try Trainer(dataset: data, config: tinyConfig(), options: tinyOptions(), threads: 2)
        _ = try t.run(directory: dir, timeBudget: 0)
        // a dataset without the saved split's structures
        let fewer = try LabelledDataset.load(directory: sharedData! + "/iza", targets: ["ar_uptake_mol_kg"], limit: 6)
        expectX3Error(.invalidArgument, mentioning: ["is not in the dataset", "same data folder"]) {
            _ = try Trainer.resume(directory: dir, dataset: fewer)
        }
        // other targets
        let other = try LabelledDataset.load(directory: sharedData! + "/iza", targets: ["ar_uptake_err_mol_kg"], limit: 12)
        expectX3Error(.invalidArgument, mentioning: ["trained on targets ar_uptake_mol_kg"]) {
            _ = try Trainer.resume(directory: dir, dataset: other)
        }
        // a truncated checkpoint, and a plain model where a checkpoint belongs
        let bytes = try FileIO.readBytes(path: dir + "/checkpoint.safetensors")
        try FileIO.writeAtomically(path: dir + "/checkpoint.safetensors", bytes: Array(bytes.prefix(bytes.count - 100)))
        expectX3Error(.parse, mentioning: ["checkpoint.safetensors", "truncated"]) { _ = try Trainer.resume(directory: dir, dataset: data) }
        try ModelFile.save(t.model, path: dir + "/checkpoint.safetensors")
        expectX3Error(.parse, mentioning: ["x3mat-checkpoint", "\"x3mat-model\""]) { _ = try Trainer.resume(directory: dir, dataset: data) }
        // a checkpoint is still a model for prediction
        try FileIO.writeAtomically(path: dir + "/checkpoint.safetensors", bytes: bytes)
        #expect(try ModelFile.load(path: dir + "/checkpoint.safetensors").params.values == t.model.params.values)
    }
}
