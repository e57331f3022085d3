// Training throughput: optimizer steps/s, windows/s (forward + backward) and structures/s
// of the trainer on a real dataset, and prediction (all windows) windows/s, with peak RSS.
//
//   x3mat-bench train DATASET [STEPS]     DATASET: iza (Ar uptake, R 6 Å) or qmof (band gap, R 6 Å, step 3 Å)
import X3Core
import X3Inference
import X3Network
import X3Training
#if canImport(Glibc)
import Glibc
#endif

func benchTraining(data: String, dataset: String, steps: Int) throws {
    var config = ModelConfig()
    let target: String
    switch dataset {
    case "iza": target = "ar_uptake_mol_kg"
    case "qmof": target = "band_gap_eV"; config.windowStep = 3
    default: throw X3Error(.invalidArgument, "dataset '\(dataset)': use iza or qmof")
    }
    let t0 = monotonicSeconds()
    let d = try LabelledDataset.load(directory: "\(data)/\(dataset)", targets: [target], limit: 200)
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
          + "\(trainer.model.params.count) parameters, \(options.batchStructures) structures × \(options.windowsPerStructure) windows per step, "
          + "\(trainer.threads) threads")
    print("  \(formatFixed(1 / perStep, 2)) steps/s = \(formatFixed(windows / perStep, 1)) windows/s forward+backward "
          + "= \(formatFixed(Double(options.batchStructures) / perStep, 1)) structures/s (mean of \(done - 2) steps)")
    let m = trainer.model
    let s = d.structures[0]
    let t1 = monotonicSeconds()
    let p = try InferenceEngine(model: m).predict([s], ids: [d.ids[0]])
    let dt = monotonicSeconds() - t1
    print("  predict \(d.ids[0]) (all \(p[0].windows.count) windows): \(formatFixed(dt, 2)) s = "
          + "\(formatFixed(Double(p[0].windows.count) / dt, 1)) windows/s; peak RSS \(formatFixed(peakRSSMiB(), 0)) MiB")
    _ = system("rm -rf \(dir)")
}
