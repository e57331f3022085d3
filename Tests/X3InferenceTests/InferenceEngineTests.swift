import Testing
import X3Core
import X3Inference
import X3Network
import X3TestSupport
import X3Windows

/// The inference engine: a structure's property is the mean of its window contributions;
/// its numbers do not depend on the structures evaluated with it, the slice size or the
/// thread count; the symmetry-reduced evaluation (one window per orbit) equals evaluating
/// every window; a stream keeps input order, isolates failures and stops cleanly.
struct InferenceEngineTests {
    static let names = ["LTA", "SOD", "ABW"]  // Pm-3m, Im-3m, Imma: symmetry from their files

    static func model() throws -> EquiformerModel<Float> {
        var c = tinyConfig()
        c.windowStep = 4
        return try EquiformerModel<Float>(config: c)
    }

    static func structures() throws -> [Structure] {
        try names.map { try CIFReader.read(path: sharedData! + "/iza/cif/\($0).cif") }
    }

    @Test(.enabled(if: sharedData != nil)) func propertyIsTheMeanOfWindowContributionsWhateverTheBatching() throws {
        let model = try Self.model(), c = model.config
        let structures = try Self.structures()
        let together = try InferenceEngine(model: model, threads: 2).predict(structures, ids: Self.names)
        for (i, s) in structures.enumerated() {
            let p = together[i]
            let ws = try WindowSampler.sample(s, radius: c.windowRadius, grid: p.orbits.grid)
            #expect(p.id == Self.names[i] && p.windows.count == ws.count && p.contributions.count == ws.count)
            #expect(p.windows.offsets == ws.offsets && p.windows.positions == ws.positions)
            #expect(p.orbits.count < ws.count, "\(Self.names[i]): \(p.orbits.count) orbits for \(ws.count) windows")
            let mean = p.contributions.reduce(0, +) / Double(ws.count)
            #expect(abs(p.property[0] - mean) <= 1e-12 * max(1, abs(mean)))
            // alone, on one thread, in batches of 3: the same numbers
            let alone = try InferenceEngine(model: model, threads: 1).predict(s, id: Self.names[i])
            #expect(alone.contributions == p.contributions)
            // every window evaluated: the same contributions (float rounding aside) at every grid point
            let every = InferenceEngine(model: model, threads: 2, batchWindows: 3, sliceWindows: 5).contributions([ws])[0]
            let scale = every.map(abs).max()!
            for w in 0..<ws.count {
                #expect(abs(every[w] - p.contributions[w]) <= 1e-5 * scale, "\(Self.names[i]) window \(w)")
            }
        }
        // the tables: one row per structure, one per window
        let csv = PredictionTables.propertiesCSV(together, targets: c.targets).split(separator: "\n")
        #expect(csv.count == 4 && csv[0] == "id,windows,y" && csv[1].hasPrefix("LTA,\(together[0].windows.count),"))
        let windows = PredictionTables.contributionsCSV(together, targets: c.targets).split(separator: "\n")
        #expect(windows.count == 1 + together.reduce(0) { $0 + $1.windows.count })
        // a window's grid index (i, j, k) matches its fractional centre k_i / n_i
        let g = together[0].windows.grid!
        let row = windows[1 + 7].split(separator: ",").map(String.init)
        let f = together[0].windows.fractionalCentres[7]
        #expect(abs(Double(Int(row[2])!) / Double(g.n1) - f.x) < 1e-12 && abs(Double(Int(row[4])!) / Double(g.n3) - f.z) < 1e-12)
    }

    /// An ensemble's numbers are the members' mean and sample standard deviation, each
    /// member's prediction computed alone by its own engine; an ensemble of one model is
    /// the model, bit for bit.
    @Test(.enabled(if: sharedData != nil)) func ensemblesReportTheMembersMeanAndSpread() throws {
        let models = try [11, 12, 13].map { seed -> EquiformerModel<Float> in
            var c = try Self.model().config
            c.seed = UInt64(seed); c.targetMean = [Double(seed)]
            return try EquiformerModel<Float>(config: c)
        }
        let structures = try Self.structures()
        let alone = try models.map { try InferenceEngine(model: $0, threads: 2).predict(structures, ids: Self.names) }
        let ensemble = try InferenceEngine(ensemble: try ModelEnsemble(members: models), threads: 2)
            .predict(structures, ids: Self.names)
        for (i, p) in ensemble.enumerated() {
            let props = alone.map { $0[i].property[0] }
            let mean = props.reduce(0, +) / 3
            let std = (props.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 2).squareRoot()
            #expect(abs(p.property[0] - mean) <= 1e-12 * abs(mean) && abs(p.propertyStd![0] - std) <= 1e-9 * max(std, 1e-3))
            #expect(p.memberProperties!.map { $0[0] } == props)
            for w in stride(from: 0, to: p.windows.count, by: 7) {
                let xs = alone.map { $0[i].contribution(w, 0) }, m = xs.reduce(0, +) / 3
                let s = (xs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / 2).squareRoot()
                #expect(abs(p.contribution(w, 0) - m) <= 1e-12 * max(1, abs(m)))
                #expect(abs(p.contributionSpread(w, 0)! - s) <= 1e-9 * max(s, 1e-3))
            }
            #expect(std > 0)
        }
        let single = try InferenceEngine(ensemble: try ModelEnsemble(members: [models[0]]), threads: 2)
            .predict(structures, ids: Self.names)
        #expect(single.map(\.contributions) == alone[0].map(\.contributions) && single.allSatisfy { $0.propertyStd == nil })
    }

    /// A per-volume model's contributions, property and spreads are the same network's
    /// plain ones divided by the structure's density, and the density is mass / volume by
    /// hand: LTA's cell (Si24O48, a = 11.919 Å cubic, from its CIF) with standard atomic
    /// weights (Si 28.085, O 15.999) and N_A = 6.02214076e23/mol is 1.4142 g/cm³.
    @Test(.enabled(if: sharedData != nil)) func perVolumeTargetsAreDividedByTheDensity() throws {
        let lta = try CIFReader.read(path: sharedData! + "/iza/cif/LTA.cif")
        let byHand = (24 * 28.085 + 48 * 15.999) / 6.02214076e23 / (11.919 * 11.919 * 11.919 * 1e-24)
        #expect(abs(lta.density - byHand) <= 1e-4 * byHand, "\(lta.density) against \(byHand)")
        let models = try [31, 32].map { seed -> EquiformerModel<Float> in
            var c = try Self.model().config
            c.seed = UInt64(seed); c.targetMean = [3]
            return try EquiformerModel<Float>(config: c)
        }
        let perVolume = try models.map { m -> EquiformerModel<Float> in
            var c = m.config
            c.perVolume = [true]
            var v = try EquiformerModel<Float>(config: c)
            v.params.values = m.params.values
            return v
        }
        let structures = try Self.structures()
        for (plain, scaled) in [(models[0], perVolume[0])].map({ ([$0.0], [$0.1]) }) + [(models, perVolume)] {
            let a = try InferenceEngine(ensemble: try ModelEnsemble(members: plain), threads: 2).predict(structures, ids: Self.names)
            let b = try InferenceEngine(ensemble: try ModelEnsemble(members: scaled), threads: 2).predict(structures, ids: Self.names)
            for (s, (p, q)) in zip(structures, zip(a, b)) {
                let rho = s.density
                #expect(abs(q.property[0] - p.property[0] / rho) <= 1e-12 * abs(p.property[0]))
                #expect(zip(q.contributions, p.contributions).allSatisfy { abs($0 - $1 / rho) <= 1e-12 * abs($1) })
                if let sd = p.propertyStd {
                    #expect(abs(q.propertyStd![0] - sd[0] / rho) <= 1e-9 * sd[0])
                    #expect(zip(q.contributionStd!, p.contributionStd!).allSatisfy { abs($0 - $1 / rho) <= 1e-9 * max($1, 1e-9) })
                }
            }
        }
        // members must agree on what their outputs mean
        expectX3Error(.invalidArgument, mentioning: ["per_volume"]) {
            _ = try ModelEnsemble(members: [models[0], perVolume[1]])
        }
    }

    /// A spread scale multiplies every standard deviation (property and windows) by its
    /// factor and changes nothing else.
    @Test(.enabled(if: sharedData != nil)) func spreadScaleMultipliesEveryStandardDeviation() throws {
        let models = try [21, 22].map { seed -> EquiformerModel<Float> in
            var c = try Self.model().config
            c.seed = UInt64(seed)
            return try EquiformerModel<Float>(config: c)
        }
        let plain = try ModelEnsemble(members: models)
        let structures = try Self.structures()
        let a = try InferenceEngine(ensemble: plain, threads: 2).predict(structures, ids: Self.names)
        let b = try InferenceEngine(ensemble: try plain.scalingSpread(to: [2.5]), threads: 2).predict(structures, ids: Self.names)
        for (p, q) in zip(a, b) {
            #expect(q.property == p.property && q.contributions == p.contributions)
            #expect(q.propertyStd! == p.propertyStd!.map { $0 * 2.5 } && q.contributionStd! == p.contributionStd!.map { $0 * 2.5 })
            #expect(p.propertyStd![0] > 0)
        }
    }

    /// Inputs: LTA, an unreadable one, SOD, ABW. Every slice size and thread count emits
    /// the four in order, the failure in its place with its reason, and the same numbers
    /// as predicting each structure alone.
    @Test(.enabled(if: sharedData != nil)) func streamKeepsInputOrderAndIsolatesFailures() throws {
        let model = try Self.model()
        let structures = try Self.structures()
        let alone = try structures.enumerated().map { try InferenceEngine(model: model, threads: 1).predict($1, id: Self.names[$0]) }
        for (slice, threads) in [(1, 1), (10, 2), (100_000, 2)] {
            let engine = InferenceEngine(model: model, threads: threads, sliceWindows: slice)
            var seen: [(Int, Result<StructurePrediction, X3Error>)] = []
            let n = try engine.stream(count: 4, load: { i in
                if i == 1 { throw X3Error(.parse, "broken.cif:3: no cell") }
                let k = i == 0 ? 0 : i - 1
                return (structures[k], Self.names[k])
            }, emit: { seen.append(($0, $1)) })
            #expect(n == 4 && seen.map(\.0) == [0, 1, 2, 3])
            for (i, r) in seen {
                switch r {
                case .success(let p):
                    let k = i == 0 ? 0 : i - 1
                    #expect(p.id == Self.names[k] && p.contributions == alone[k].contributions, "slice \(slice), input \(i)")
                case .failure(let e):
                    #expect(i == 1 && e.status == .parse && e.message == "broken.cif:3: no cell")
                }
            }
        }
    }

    /// An evaluation whose progress callback answers false stops after the slice in
    /// progress and returns nothing; one that always answers true returns what the plain
    /// call returns, with a report after every slice.
    @Test(.enabled(if: sharedData != nil)) func evaluationAskedToStopEndsAfterTheSliceInProgress() throws {
        let model = try Self.model(), c = model.config
        let ws = try Self.structures().map { try WindowSampler.sample($0, radius: c.windowRadius, step: c.windowStep) }
        let engine = InferenceEngine(model: model, threads: 2, sliceWindows: 1)  // one structure per slice
        let plain = engine.contributions(ws)
        var reports: [Int] = []
        let all = engine.contributions(ws, continuing: { done, _ in
            reports.append(done)
            return true
        })
        #expect(all == plain)
        #expect(reports == [ws[0].count, ws[0].count + ws[1].count, ws.reduce(0) { $0 + $1.count }])
        reports = []
        let stopped = engine.contributions(ws, continuing: { done, _ in
            reports.append(done)
            return false
        })
        #expect(stopped == nil && reports == [ws[0].count])
    }

    /// Once asked to stop, a stream evaluates and emits what it has read, and ends.
    @Test(.enabled(if: sharedData != nil)) func streamStopsAfterTheStructuresItRead() throws {
        let model = try Self.model()
        let structures = try Self.structures()
        var loaded = 0, emitted: [Int] = []
        let n = try InferenceEngine(model: model, threads: 2).stream(count: 3, load: { i in
            loaded += 1
            return (structures[i], Self.names[i])
        }, emit: { i, r in
            #expect((try? r.get()) != nil)
            emitted.append(i)
        }, shouldStop: { loaded == 2 })
        #expect(n == 2 && emitted == [0, 1])
    }
}
