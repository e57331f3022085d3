import Testing
import X3Core
import X3Network
import X3TestSupport
import X3Training
import X3Windows

/// Prediction: a structure's property is the mean of its window contributions, evaluating
/// several structures in shared slices gives each the numbers it gets alone, and the
/// symmetry-reduced evaluation (one window per orbit) equals evaluating every window.
struct PredictorTests {
    @Test(.enabled(if: sharedData != nil)) func propertyIsTheMeanOfWindowContributionsWhateverTheBatching() throws {
        var c = tinyConfig()
        c.windowStep = 4
        let model = try EquiformerModel<Float>(config: c)
        // LTA (Pm-3m), SOD (Im-3m), ABW (Imma): all with symmetry from their files.
        let names = ["LTA", "SOD", "ABW"]
        let structures = try names.map { try CIFReader.read(path: sharedData! + "/iza/cif/\($0).cif") }
        let together = try Predictor.predict(model, structures: structures, ids: names, threads: 2)
        for (i, s) in structures.enumerated() {
            let p = together[i]
            let ws = try WindowSampler.sample(s, radius: c.windowRadius, grid: p.orbits.grid)
            #expect(p.id == names[i] && p.windows.count == ws.count && p.contributions.count == ws.count)
            #expect(p.windows.offsets == ws.offsets && p.windows.positions == ws.positions)
            #expect(p.orbits.count < ws.count, "\(names[i]): \(p.orbits.count) orbits for \(ws.count) windows")
            let mean = p.contributions.reduce(0, +) / Double(ws.count)
            #expect(abs(p.property[0] - mean) <= 1e-12 * max(1, abs(mean)))
            // alone, and every window evaluated in slices of 5 windows: the same
            // contributions (float rounding aside) at every grid point
            let alone = try Predictor.predict(model, structures: [s], ids: [names[i]], threads: 1)[0]
            let every = Predictor.contributions(model, [ws], threads: 2, slice: 5)[0]
            let scale = every.map(abs).max()!
            for w in 0..<ws.count {
                #expect(abs(alone.contributions[w] - p.contributions[w]) <= 1e-5 * max(1, abs(p.contributions[w])))
                #expect(abs(every[w] - p.contributions[w]) <= 1e-5 * scale, "\(names[i]) window \(w)")
            }
        }
        // the CSV writers: one row per structure, one per window
        let csv = Predictor.propertiesCSV(together).split(separator: "\n")
        #expect(csv.count == 4 && csv[0] == "id,windows,y" && csv[1].hasPrefix("LTA,\(together[0].windows.count),"))
        let windows = Predictor.contributionsCSV(together).split(separator: "\n")
        #expect(windows.count == 1 + together.reduce(0) { $0 + $1.windows.count })
        // a window's grid index (i, j, k) matches its fractional centre k_i / n_i
        let g = together[0].windows.grid!
        let row = windows[1 + 7].split(separator: ",").map(String.init)
        let f = together[0].windows.fractionalCentres[7]
        #expect(abs(Double(Int(row[2])!) / Double(g.n1) - f.x) < 1e-12 && abs(Double(Int(row[4])!) / Double(g.n3) - f.z) < 1e-12)
    }
}
