import Testing
import X3Core
import X3Network
import X3Symmetry
import X3TestSupport
import X3Training
import X3Windows

/// Training on orbit representatives: with every orbit in the step, the orbit-weighted
/// loss is the loss on every window of the same grid.
struct OrbitTrainingTests {
    @Test(.enabled(if: sharedData != nil)) func orbitWeightedLossEqualsTheLossOnEveryWindow() throws {
        // LTA (Pm-3m), SOD (Im-3m) and AFI (P6/mcc): at the tiny model's 5 Å
        // step their plain grids (3³, 2³, 3 x 3 x 2) are already symmetric, so both runs see the
        // same windows; with symmetry on, one per orbit.
        let ids = ["LTA", "SOD", "AFI"]
        let dir = makeScratchDirectory("x3mat-orbit-loss")
        let lines = try String(decoding: FileIO.readBytes(path: sharedData! + "/iza/labels.csv"), as: UTF8.self)
            .split(whereSeparator: \.isNewline).map(String.init)
        let kept = lines.dropFirst().filter { ids.contains(String($0.split(separator: ",")[0])) }
        try FileIO.writeAtomically(path: dir + "/labels.csv", text: ([lines[0]] + kept).joined(separator: "\n") + "\n")
        let data = try LabelledDataset.load(directory: sharedData! + "/iza", labels: dir + "/labels.csv",
                                            targets: ["ar_uptake_mol_kg"])
        #expect(data.ids.sorted() == ids.sorted())
        let config = tinyConfig()
        var evaluated = 0
        for s in data.structures {
            let plain = try WindowGrid(lattice: s.lattice, step: config.windowStep, maxWindows: 1000)
            let o = try SymmetryOptions().orbits(s, step: config.windowStep).orbits
            #expect(o.grid == plain, "\(s.name): the adapted grid differs from the plain grid")
            evaluated += o.count
        }
        #expect(evaluated < 27 + 8 + 18)

        func firstLoss(symmetry: Bool) throws -> Double {
            var o = TrainingOptions()
            o.epochs = 1; o.batchStructures = 3; o.windowsPerStructure = 0; o.validationFraction = 0
            o.symmetry = symmetry; o.seed = 5
            let t = try Trainer(dataset: data, config: config, options: o, threads: 2)
            _ = try t.run(directory: makeScratchDirectory("x3mat-orbit-loss-run"))
            return t.history[0].trainLoss  // one step: the loss before any update
        }
        let reduced = try firstLoss(symmetry: true), every = try firstLoss(symmetry: false)
        #expect(abs(reduced - every) <= 1e-6 * abs(every), "orbit-weighted loss \(reduced), every window \(every)")
    }
}
