import X3Core
import X3Windows

/// A window grid and the orbits of its points under a crystal's symmetry operations.
///
/// Windows whose centres one operation maps onto each other hold the same atoms up to
/// a rotation, inversion and translation, so an invariant network gives them the same
/// contribution: one window per orbit is evaluated and its value given to every point of
/// the orbit. The mean over the grid is then the mean over orbits weighted by their sizes.
///
/// The symmetry-adapted grid (`init(lattice:step:symmetry:maxWindows:)`): an operation
/// f ↦ R f + t maps the grid point k/n onto a grid point for every k exactly when, for all
/// i, j, nⱼ divides Rᵢⱼ nᵢ and tᵢ nᵢ is a whole number. The grid is the smallest
/// n₁ × n₂ × n₃ (fewest points, then smallest n₁, n₂, n₃) with nᵢ ≥ ⌈|aᵢ| / step⌉, the
/// plain grid's counts, for which every operation whose translation is a multiple of 1/24
/// does so. So a translation of ¼ along a needs n₁ divisible by 4, and axes a rotation
/// exchanges get equal counts. Operations with other translations (a centre of inversion
/// off the grid, as spglib finds in P1 files) cannot map any grid of the structure's
/// origin onto itself and are left out; those kept form a group.
public struct WindowOrbits: Sendable {
    public let grid: WindowGrid
    /// The operations that map the grid onto itself (identity first).
    public let operations: [SymmetryOperation]
    /// Per grid point (window index): its orbit.
    public let orbitOf: [Int32]
    /// Per orbit: its representative, the lowest window index in it.
    public let representatives: [Int]
    /// Per orbit: its number of grid points.
    public let sizes: [Int]

    /// Number of orbits.
    public var count: Int { representatives.count }

    /// Largest increase of any count over the plain grid's that the adapted grid search
    /// tries; beyond it the plain grid is used without symmetry.
    static let maxExtraPoints = 48

    /// Every point its own orbit.
    public init(grid: WindowGrid) {
        self.grid = grid
        operations = [.identity]
        orbitOf = (0..<grid.count).map(Int32.init)
        representatives = Array(0..<grid.count)
        sizes = Array(repeating: 1, count: grid.count)
    }

    /// The symmetry-adapted grid of a step (Å) and its orbits (see the type's description).
    /// Throws `.invalidArgument` for a bad step and `.outOfMemory` when the grid would hold
    /// more than `maxWindows` points.
    public init(lattice: Lattice, step: Double, symmetry: CrystalSymmetry, maxWindows: Int) throws {
        let plain = try WindowGrid(lattice: lattice, step: step, maxWindows: maxWindows)
        let ops = symmetry.operations.compactMap(GridOperation.init)
        guard ops.count > 1, let counts = Self.adaptedCounts(base: [plain.n1, plain.n2, plain.n3], ops) else {
            self.init(grid: plain)
            return
        }
        let grid = try WindowGrid(counts: (counts[0], counts[1], counts[2]), step: step, maxWindows: maxWindows)
        self.init(grid: grid, operations: ops)
    }

    private init(grid: WindowGrid, operations ops: [GridOperation]) {
        self.grid = grid
        operations = ops.map(\.operation)
        let n = [grid.n1, grid.n2, grid.n3]
        var orbitOf = [Int32](repeating: -1, count: grid.count)
        var representatives: [Int] = [], sizes: [Int] = []
        for w in 0..<grid.count where orbitOf[w] < 0 {
            let orbit = Int32(representatives.count)
            let (k1, k2, k3) = grid.point(w)
            var size = 0
            for op in ops {
                let k = op.map([k1, k2, k3], n)
                let image = grid.index(k[0], k[1], k[2])
                if orbitOf[image] < 0 { orbitOf[image] = orbit; size += 1 }
            }
            representatives.append(w)
            sizes.append(size)
        }
        self.orbitOf = orbitOf
        self.representatives = representatives
        self.sizes = sizes
    }

    /// The smallest counts ≥ `base` (fewest points, then lexicographically) that every
    /// operation maps onto themselves; nil when none lies within `maxExtraPoints` of `base`.
    static func adaptedCounts(base: [Int], _ ops: [GridOperation]) -> [Int]? {
        // nᵢ must be a multiple of 24 / gcd(24, 24 tᵢ) for every translation.
        var multiple = [1, 1, 1]
        // (i, j, c): nⱼ must divide c · nᵢ.
        var divides = Set<[Int]>()
        for op in ops {
            for i in 0..<3 {
                multiple[i] = lcm(multiple[i], 24 / gcd(24, op.t24[i]))
                for j in 0..<3 where i != j && op.r[3 * i + j] != 0 { divides.insert([i, j, abs(op.r[3 * i + j])]) }
            }
        }
        let rules = Array(divides)
        func firstMultiple(_ i: Int) -> Int { (base[i] + multiple[i] - 1) / multiple[i] * multiple[i] }
        var best: [Int]? = nil
        var bestCount = Int.max
        for n1 in stride(from: firstMultiple(0), through: base[0] + maxExtraPoints, by: multiple[0]) {
            for n2 in stride(from: firstMultiple(1), through: base[1] + maxExtraPoints, by: multiple[1]) {
                guard n1 * n2 < bestCount else { break }
                for n3 in stride(from: firstMultiple(2), through: base[2] + maxExtraPoints, by: multiple[2]) {
                    let n = [n1, n2, n3]
                    guard n1 * n2 * n3 < bestCount else { break }
                    if rules.allSatisfy({ ($0[2] * n[$0[0]]) % n[$0[1]] == 0 }) {
                        best = n
                        bestCount = n1 * n2 * n3
                        break
                    }
                }
            }
        }
        return best
    }

    /// Orbits with integer weights for an estimate of the mean of a quantity over the grid
    /// that is equal on each orbit: mean ≈ Σ count · value(orbit) / denominator.
    public struct Draw: Sendable {
        /// (orbit, count), orbits ascending.
        public var picks: [(orbit: Int, count: Int)]
        public var denominator: Int
    }

    /// With k = 0 or k ≥ the grid: every orbit, counted by its size (the exact mean).
    /// Otherwise k grid points drawn uniformly without replacement (`SplitMix64.choose`),
    /// grouped by orbit: the mean over the drawn points, an unbiased estimate of the grid's
    /// mean in which each orbit appears in proportion to its size (expected count
    /// k · size / grid points). Without symmetry it is the plain draw of k windows.
    public func draw(_ k: Int, rng: inout SplitMix64) -> Draw {
        if k == 0 || k >= grid.count {
            return Draw(picks: sizes.enumerated().map { ($0, $1) }, denominator: grid.count)
        }
        var counts: [Int: Int] = [:]
        for p in rng.choose(k, of: grid.count) { counts[Int(orbitOf[p]), default: 0] += 1 }
        return Draw(picks: counts.keys.sorted().map { ($0, counts[$0]!) }, denominator: k)
    }

    /// Values per orbit (`width` per orbit, e.g. one per target) laid on every grid point.
    public func expand(_ values: [Double], width: Int) -> [Double] {
        precondition(values.count == count * width)
        var out = [Double](repeating: 0, count: grid.count * width)
        for w in 0..<grid.count {
            let o = Int(orbitOf[w])
            for t in 0..<width { out[w * width + t] = values[o * width + t] }
        }
        return out
    }
}

/// A symmetry operation with integer parts: rotation coefficients and the translation in
/// 24ths of the cell (nil when the translation is not a multiple of 1/24).
struct GridOperation {
    let operation: SymmetryOperation
    /// R row by row.
    let r: [Int]
    /// 24 t, in 0..<24.
    let t24: [Int]

    init?(_ op: SymmetryOperation) {
        let t = op.translation * 24
        let k = t.rounded(.toNearestOrAwayFromZero)
        guard max(abs(t.x - k.x), abs(t.y - k.y), abs(t.z - k.z)) < 1e-6 else { return nil }
        operation = op
        r = op.rotationKey.map { Int($0) }
        t24 = [Int(k.x), Int(k.y), Int(k.z)].map { (($0 % 24) + 24) % 24 }
    }

    /// The image of grid point k on a grid of counts n (each count compatible with this
    /// operation): k'ᵢ = Σⱼ Rᵢⱼ kⱼ nᵢ / nⱼ + tᵢ nᵢ (mod nᵢ).
    func map(_ k: [Int], _ n: [Int]) -> [Int] {
        (0..<3).map { i in
            var v = t24[i] * n[i] / 24
            for j in 0..<3 where r[3 * i + j] != 0 { v += r[3 * i + j] * n[i] / n[j] * k[j] }
            return ((v % n[i]) + n[i]) % n[i]
        }
    }
}

func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? abs(a) : gcd(b, a % b) }
func lcm(_ a: Int, _ b: Int) -> Int { a / gcd(a, b) * b }
