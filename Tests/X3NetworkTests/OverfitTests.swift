import Testing
import X3Core
import X3Network
import X3TestSupport
import X3Windows

/// Learning works end to end through the mean over windows: a small model trained on 8
/// real zeolites (Ar uptake from ../shared/data/iza/labels.csv, normalised) drives the
/// training loss close to zero.
@Suite(.enabled(if: sharedData != nil, "../shared/data not found"))
struct OverfitTests {
    @Test func eightZeolitesAreFittedThroughTheWindowMean() throws {
        try requireBLAS()
        let labels = try readCSV(sharedData! + "/iza/labels.csv")
        let candidates: [String] = ["LTA", "SOD", "FAU", "ABW", "ANA", "LEV", "MOR", "GIS"]
        let names = candidates.filter { n in labels.contains { $0["framework"] == n } }
        let picked = Array(names.prefix(8))
        var y: [Double] = []
        var structures: [[GraphBatch.Window]] = []
        var config = ModelConfig()
        config.lmax = 2; config.mmax = 1; config.channels = 8; config.attentionChannels = 8; config.heads = 2
        config.valueChannelsPerHead = 4; config.ffnChannels = 16; config.blocks = 1; config.radialHidden = 16
        config.seed = 1
        for n in picked {
            let s = try CIFReader.read(path: sharedData! + "/iza/cif/\(n).cif")
            let ws = try WindowSampler.sample(s, radius: 6, step: 8)
            structures.append(GraphBatch.Window.all(ws))
            y.append(Double(labels.first { $0["framework"] == n }!["ar_uptake_mol_kg"]!)!)
        }
        #expect(picked.count >= 6)
        let mean = y.reduce(0, +) / Double(y.count)
        let std = (y.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(y.count)).squareRoot()
        let target = y.map { ($0 - mean) / std }
        var model = try EquiformerModel<Float>(config: config)
        var opt = AdamW(parameters: model.params.count, learningRate: 3e-3)
        let batches = structures.map { GraphBatch($0, cutoff: config.cutoff, maxNeighbours: config.maxNeighbours, probe: true) }
        func lossAndGrad() -> (Double, [Float]) {
            let tapes = model.forward(batches)
            var loss = 0.0
            var dOut: [[Float]] = []
            for (s, tape) in tapes.enumerated() {
                let out = tape.outputs.array
                let pred = out.map(Double.init).reduce(0, +) / Double(out.count)
                let r = pred - target[s]
                loss += r * r / Double(tapes.count)
                dOut.append(Array(repeating: Float(2 * r / Double(tapes.count) / Double(out.count)), count: out.count))
            }
            var grad = [Float](repeating: 0, count: model.params.count)
            model.backward(tapes, outputGradients: dOut, into: &grad)
            return (loss, grad)
        }
        let initial = lossAndGrad().0
        var final = initial
        for _ in 0..<300 {
            let (loss, grad) = lossAndGrad()
            final = loss
            if loss < 1e-4 { break }
            opt.update(&model.params.values, grad)
        }
        #expect(final < 1e-3 * max(initial, 1), "training MSE went from \(initial) to \(final)")
        print("overfit: \(picked.count) zeolites, \(structures.map(\.count).reduce(0, +)) windows; MSE \(initial) → \(final) after \(opt.step) steps")
    }
}
