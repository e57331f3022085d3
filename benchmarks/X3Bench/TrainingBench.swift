// Training throughput: optimizer steps/s, windows/s (forward + backward) and structures/s
// of the trainer on a real dataset, and prediction (all windows of the first 10 structures)
// windows/s, with peak RSS.
//
//   x3mat-bench train DATASET [STEPS]     DATASET: iza (Ar uptake, R 6 Å, step 2 Å), qmof (band gap,
//                                         R 6 Å, step 3 Å: the shipped model's windows) or qmof-r8
//                                         (band gap, R 8 Å, step 2 Å: the paper's windows)
import X3Core
import X3Inference
import X3Network
import X3Training
#if canImport(Glibc)
import Glibc
#endif

func benchTraining(data: String, dataset: String, steps: Int) throws {
    var config = ModelConfig()
    let folder: String, target: String
    switch dataset {
    case "iza": (folder, target) = ("iza", "ar_uptake_mol_kg")
    case "qmof": (folder, target) = ("qmof", "band_gap_eV"); config.windowStep = 3
    case "qmof-r8": (folder, target) = ("qmof", "band_gap_eV"); config.windowRadius = 8; config.windowStep = 2
    default: throw X3Error(.invalidArgument, "dataset '\(dataset)': use iza, qmof or qmof-r8")
    }
    let t0 = monotonicSeconds()
    let d = try LabelledDataset.load(directory: "\(data)/\(folder)", targets: [target], limit: 200)
    let loadSeconds = monotonicSeconds() - t0
    var options = TrainingOptions()
    options.epochs = 1000
    options.validationFraction = 0.1
    options.validationWindows = 8
    let trainer = try Trainer(dataset: d, config: config, options: options)
    var done = 0, first = 0.0, last = 0.0
    let dir = "/tmp/x3mat-bench-train-\(getpid())"
    _ = try trainer.run(directory: dir) { p in
        guard p.phase == .training else { return true }
        done += 1
        if done == 2 { first = monotonicSeconds() }  // skip the first step (warm-up of pools)
        last = monotonicSeconds()
        return done < steps + 1
    }
    let perStep = (last - first) / Double(max(1, done - 2))
    let windows = Double(options.batchStructures * options.windowsPerStructure)
    print("train \(dataset): \(d.ids.count) structures read in \(formatFixed(loadSeconds, 2)) s; "
          + "\(trainer.model.params.count) parameters, windows R \(formatFixed(config.windowRadius, 1)) Å / step "
          + "\(formatFixed(config.windowStep, 1)) Å, \(options.batchStructures) structures × \(options.windowsPerStructure) windows per step, "
          + "\(trainer.threads) threads")
    print("  \(formatFixed(1 / perStep, 2)) steps/s = \(formatFixed(windows / perStep, 1)) windows/s forward+backward "
          + "= \(formatFixed(Double(options.batchStructures) / perStep, 1)) structures/s (mean of \(done - 2) steps)")
    let m = trainer.model
    let sample = min(10, d.ids.count)
    let t1 = monotonicSeconds()
    let p = try InferenceEngine(model: m).predict(Array(d.structures[..<sample]), ids: Array(d.ids[..<sample]))
    let dt = monotonicSeconds() - t1
    let predicted = p.reduce(0) { $0 + $1.windows.count }
    print("  predict the first \(sample) structures from all their windows (\(predicted) windows, "
          + "\(formatFixed(Double(predicted) / Double(sample), 1)) per structure): \(formatFixed(dt, 2)) s = "
          + "\(formatFixed(Double(predicted) / dt, 1)) windows/s; peak RSS \(formatFixed(peakRSSMiB(), 0)) MiB")
    _ = system("rm -rf \(dir)")
}
