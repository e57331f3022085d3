import Testing
import X3Core
import X3Inference
import X3Interpret
import X3Network
import X3Symmetry
import X3TestSupport
import X3Windows
#if canImport(Glibc)
import Glibc
#endif

/// Maps: laid on the window grid in C order, their mean is the property, Fourier
/// refinement is exact for resolvable modes and keeps samples and mean, and a trained
/// model's map has the framework's space-group symmetry.
struct ContributionMapTests {
    let cubic = try! Lattice(a: 10, b: 10, c: 10, alpha: 90, beta: 90, gamma: 90)

    func field(_ shape: (Int, Int, Int), _ f: (Vec3) -> Double) throws -> ContributionMap {
        let n = shape.0 * shape.1 * shape.2
        let empty = try ContributionMap(lattice: cubic, shape: shape, values: Array(repeating: 0, count: n), name: "f")
        return try ContributionMap(lattice: cubic, shape: shape, values: (0..<n).map { f(empty.fractional($0)) }, name: "f")
    }

    @Test func refinementReproducesResolvableFourierModesExactly() throws {
        // f = cos 2π(x₁ + 2x₃) + 0.3 sin 2π x₂ + 0.5: on a 5 × 4 × 6 grid the modes k₁ = 1 < 5/2,
        // k₂ = 1 < 4/2, k₃ = 2 < 6/2 are resolved, so the interpolant is f itself (hand derivation).
        let f: (Vec3) -> Double = { 0.5 + cos(2 * .pi * ($0.x + 2 * $0.z)) + 0.3 * sin(2 * .pi * $0.y) }
        let coarse = try field((5, 4, 6), f)
        let fine = try coarse.refined(by: (3, 2, 4))
        #expect(fine.shape == (15, 8, 24))
        for i in 0..<fine.count { #expect(abs(fine.values[i] - f(fine.fractional(i))) < 1e-12) }
    }

    @Test func refinementOfTheNyquistModeIsTheCosineThroughTheSamples() throws {
        // samples (−1)^m on 4 points: the interpolant is cos 4πx (hand derivation), which is 0
        // half-way between the samples and ±1/√2 at eighths.
        let coarse = try ContributionMap(lattice: cubic, shape: (4, 1, 1), values: [1, -1, 1, -1], name: "nyquist")
        let fine = try coarse.refined(by: (4, 1, 1))
        for j in 0..<16 { #expect(abs(fine.values[j] - cos(4 * .pi * Double(j) / 16)) < 1e-12) }
    }

    @Test func refinementKeepsTheSamplesAndTheMeanOfAnyMap() throws {
        var rng = SplitMix(state: 11)
        for shape in [(3, 4, 5), (6, 6, 6), (1, 7, 2)] {
            let n = shape.0 * shape.1 * shape.2
            let m = try ContributionMap(lattice: cubic, shape: shape, values: (0..<n).map { _ in rng.nextUnit() * 4 - 1 }, name: "r")
            let fine = try m.refined(by: (2, 3, 2))
            #expect(abs(fine.mean - m.mean) < 1e-12)
            for k1 in 0..<m.n1 { for k2 in 0..<m.n2 { for k3 in 0..<m.n3 {
                #expect(abs(fine[2 * k1, 3 * k2, 2 * k3] - m[k1, k2, k3]) < 1e-12)
            } } }
        }
        #expect(throws: X3Error.self) { try ContributionMap(lattice: cubic, shape: (2, 2, 2), values: [1], name: "x") }
        #expect(throws: X3Error.self) { try field((2, 2, 2), { _ in 0 }).refined(by: (0, 1, 1)) }
    }

    @Test(.enabled(if: sharedData != nil)) func aPredictionsMapIsItsContributionsOnTheGridWithThePropertyAsMean() throws {
        var c = tinyConfig()
        c.targets = ["a", "b"]
        let model = try EquiformerModel<Float>(config: c)
        let s = try CIFReader.read(path: sharedData! + "/iza/cif/SOD.cif")
        let p = try InferenceEngine(model: model, threads: 2).predict(s, id: "SOD")
        let g = p.windows.grid!
        for t in 0..<2 {
            let map = try ContributionMap(p, target: t)
            #expect(map.shape == g.shape && map.name == c.targets[t])
            #expect(abs(map.mean - p.property[t]) <= 1e-12 * max(1, abs(p.property[t])))
            for w in 0..<p.windows.count {
                let (k1, k2, k3) = g.point(w)
                #expect(map[k1, k2, k3] == p.contribution(w, t))
                #expect(map.fractional(w) == p.windows.fractionalCentres[w])
            }
        }
        #expect(throws: X3Error.self) { try ContributionMap(p, target: 2) }
    }

    /// The shipped zeolite model (the first member if the file holds an ensemble: each member
    /// is one network) on frameworks with their space-group operators from the
    /// CIF: for every operator that maps the window grid onto itself (all of them for LTA
    /// (Pm-3m, 6³ grid), RHO (Im-3m, 8³, with the body-centring translation) and SAS
    /// (I4/mmm, 8 × 8 × 6)), the map at g(x) equals the map at x up to float32
    /// rounding. Operators whose translations or axes do not map grid points to grid
    /// points are skipped (their images fall between windows): that is the grid's
    /// discretisation; the count of checked operators is asserted per framework. Measured:
    /// max deviation 1.6e-7 of the map's scale (float32 rounding) for all three.
    @Test(.enabled(if: sharedData != nil)) func aTrainedMapHasTheFrameworksSpaceGroupSymmetry() throws {
        let model = try ModelFile.loadEnsemble(path: repositoryRoot + "/models/iza-ar-uptake.safetensors").members[0]
        // framework: minimum number of operators that must map its grid onto itself
        for (name, minimum) in [("LTA", 48), ("RHO", 96), ("SAS", 32)] {
            let path = sharedData! + "/iza/cif/\(name).cif"
            let s = try CIFReader.read(path: path)
            let ops = try CIFReader.symmetryOperations(path: path)
            // Every window evaluated (no symmetry reduction, which would make the map
            // symmetric by construction): the symmetry must come from the network.
            let p = try InferenceEngine(model: model, symmetry: .off, threads: 2).predict(s, id: name)
            let map = try ContributionMap(p, target: 0)
            let scale = map.values.map(abs).max()!
            var checked = 0, worst = 0.0
            for op in ops {
                var onGrid = true, diffs: [Double] = []
                for i in 0..<map.count where onGrid {
                    let f = op.apply(map.fractional(i))
                    let k = [f.x * Double(map.n1), f.y * Double(map.n2), f.z * Double(map.n3)]
                    guard k.allSatisfy({ abs($0 - $0.rounded()) < 1e-6 }) else { onGrid = false; break }
                    func wrap(_ x: Double, _ n: Int) -> Int { ((Int(x.rounded()) % n) + n) % n }
                    diffs.append(abs(map[wrap(k[0], map.n1), wrap(k[1], map.n2), wrap(k[2], map.n3)] - map.values[i]))
                }
                guard onGrid else { continue }
                checked += 1
                worst = max(worst, diffs.max()!)
            }
            #expect(checked >= minimum, "\(name): only \(checked) of \(ops.count) operators map the \(map.n1)x\(map.n2)x\(map.n3) grid onto itself")
            #expect(worst <= 1e-5 * scale, "\(name): a symmetry-equivalent window differs by \(worst) (scale \(scale))")
        }
    }
}
