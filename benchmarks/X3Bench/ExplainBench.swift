// Interpretation cost next to prediction: for a zeolite (shipped iza model) and a MOF
// (shipped two-target coremof model), the time of the prediction alone and of a whole
// explanation (prediction, maps, 3x Fourier refinement, selectivity, histograms, site
// hashing, writing every file), in the same run.
//
//   x3mat-bench explain [DATA_DIR]
import X3Core
import X3Inference
import X3Interpret
import X3Network
import X3Training
#if canImport(Glibc)
import Glibc
#endif

func benchExplain(data: String) throws {
    let cases = [("models/iza-ar-uptake.safetensors", "\(data)/iza/cif/LTA.cif", false),
                 ("models/coremof-co2-ch4.safetensors", "\(data)/coremof/cif/ABAVIJ_clean.cif", true)]
    for (modelPath, cif, selectivity) in cases {
        let model = try ModelFile.load(path: modelPath)
        let s = try CIFReader.read(path: cif)
        let id = String(cif.split(separator: "/").last!.dropLast(4))
        _ = try InferenceEngine(model: model).predict(s, id: id)  // warm-up (pools, BLAS)
        var predictSeconds = Double.infinity, explainSeconds = Double.infinity
        var windows = 0, files = 0, bytes = 0
        let dir = "/tmp/x3mat-bench-explain-\(getpid())"
        for _ in 0..<3 {
            let t0 = monotonicSeconds()
            let p = try InferenceEngine(model: model).predict(s, id: id)
            predictSeconds = min(predictSeconds, monotonicSeconds() - t0)
            windows = p.windows.count
            var o = ExplainOptions()
            o.refine = (3, 3, 3)
            if selectivity { o.selectivity = [(0, 1)] }
            let t1 = monotonicSeconds()
            let e = try Explanation.make(model, structure: s, id: id, options: o)
            let written = try e.write(directory: dir)
            explainSeconds = min(explainSeconds, monotonicSeconds() - t1)
            files = written.count
            bytes = written.filter { !$0.hasSuffix("/") }.reduce(0) { $0 + ((try? FileIO.readBytes(path: dir + "/" + $1).count) ?? 0) }
        }
        _ = system("rm -rf \(dir)")
        print("explain \(id) (\(s.count) atoms, \(windows) windows, \(model.config.targets.count) target(s)): "
              + "predict \(formatFixed(predictSeconds, 2)) s, explain \(formatFixed(explainSeconds, 2)) s "
              + "(ratio \(formatFixed(explainSeconds / predictSeconds, 2))); \(files) outputs, \(bytes / 1024) KiB; best of 3")
    }
    print("peak RSS \(formatFixed(peakRSSMiB(), 0)) MiB")
}
