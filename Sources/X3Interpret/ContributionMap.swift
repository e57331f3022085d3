import X3Core
import X3Inference
import X3Windows

/// A scalar field on a periodic grid of a unit cell: one target's window contributions
/// laid on the window grid (or that field interpolated onto a finer grid).
///
/// Conventions (the same as `WindowGrid` and the Gaussian cube format):
/// - Grid point (k₁, k₂, k₃), 0 ≤ kᵢ < nᵢ, sits at fractional (k₁/n₁, k₂/n₂, k₃/n₃); the
///   grid is periodic, so point nᵢ would repeat point 0 and is not stored.
/// - `values` is in C order with k₃ fastest: index (k₁·n₂ + k₂)·n₃ + k₃.
/// - Values are in the target's units (the label's units: mol/kg, eV, ...).
///
/// The map of a prediction holds exactly the window contributions, so its mean is the
/// predicted property.
public struct ContributionMap: Sendable {
    public let lattice: Lattice
    public let n1: Int, n2: Int, n3: Int
    public let values: [Double]
    /// What the values are, e.g. the target's name or "co2/ch4".
    public let name: String

    public init(lattice: Lattice, shape: (Int, Int, Int), values: [Double], name: String) throws {
        guard shape.0 >= 1, shape.1 >= 1, shape.2 >= 1 else {
            throw X3Error(.invalidArgument, "map shape \(shape.0) x \(shape.1) x \(shape.2): every count must be at least 1")
        }
        guard values.count == shape.0 * shape.1 * shape.2 else {
            throw X3Error(.invalidArgument,
                "\(values.count) map values for a \(shape.0) x \(shape.1) x \(shape.2) grid (expected \(shape.0 * shape.1 * shape.2))")
        }
        self.lattice = lattice
        (n1, n2, n3) = shape
        self.values = values
        self.name = name
    }

    /// The map of target `target` of a prediction. The windows must lie on a grid
    /// (windows sampled with a step, as every model prediction is).
    public init(_ p: StructurePrediction, target: Int) throws {
        guard (0..<p.targets.count).contains(target) else {
            throw X3Error(.indexOutOfRange, "target \(target) is outside 0..<\(p.targets.count)")
        }
        guard let g = p.windows.grid, g.count == p.windows.count else {
            throw X3Error(.invalidArgument, "\(p.id): the windows are not on a grid, so they do not form a map")
        }
        try self.init(lattice: p.windows.lattice, shape: g.shape,
                      values: (0..<g.count).map { p.contribution($0, target) }, name: p.targets[target])
    }

    /// The map of an ensemble's uncertainty for target `target`: each window's members'
    /// standard deviation, named "<target>_std". Nil for a single model's prediction.
    public init?(spreadOf p: StructurePrediction, target: Int) throws {
        guard p.contributionStd != nil else { return nil }
        let mean = try ContributionMap(p, target: target)
        try self.init(lattice: mean.lattice, shape: mean.shape,
                      values: (0..<mean.count).map { p.contributionSpread($0, target)! }, name: p.targets[target] + "_std")
    }

    /// Refinement factors must each be ≥ 1, with a product ≤ 1000.
    public static func validateRefinement(_ factor: (Int, Int, Int)) throws {
        // Each factor is checked before the product, so the product cannot overflow.
        guard factor.0 >= 1, factor.1 >= 1, factor.2 >= 1, factor.0 <= 1000, factor.1 <= 1000, factor.2 <= 1000,
              factor.0 * factor.1 * factor.2 <= 1000 else {
            throw X3Error(.invalidArgument,
                "refinement \(factor.0) x \(factor.1) x \(factor.2): each factor must be at least 1, and their product at most 1000")
        }
    }

    public var shape: (Int, Int, Int) { (n1, n2, n3) }
    public var count: Int { values.count }
    @inlinable public func index(_ k1: Int, _ k2: Int, _ k3: Int) -> Int { (k1 * n2 + k2) * n3 + k3 }
    public subscript(_ k1: Int, _ k2: Int, _ k3: Int) -> Double { values[index(k1, k2, k3)] }

    /// The mean over all grid points (for a prediction's map: the predicted property).
    public var mean: Double { values.reduce(0, +) / Double(values.count) }

    /// Fractional coordinates of grid point `index`.
    public func fractional(_ index: Int) -> Vec3 {
        Vec3(Double(index / (n2 * n3)) / Double(n1), Double((index / n3) % n2) / Double(n2), Double(index % n3) / Double(n3))
    }

    /// The map interpolated onto a grid `factor` times finer along each axis, by periodic
    /// trigonometric (Fourier) interpolation, axis by axis. Properties: the fine map equals
    /// this map at the coarse points (every `factor`-th point), its mean is this map's
    /// mean, and a field made of the grid's resolvable Fourier modes is reproduced exactly.
    /// It is smooth but, like any band-limited interpolant, can over- and undershoot next
    /// to sharp steps (ringing).
    public func refined(by factor: (Int, Int, Int)) throws -> ContributionMap {
        try Self.validateRefinement(factor)
        let m = (n1 * factor.0, n2 * factor.1, n3 * factor.2)
        var v = values
        var shape = [n1, n2, n3]
        for (axis, fine) in [m.0, m.1, m.2].enumerated() where fine != shape[axis] {
            v = FourierInterpolation.resample(v, shape: shape, axis: axis, to: fine)
            shape[axis] = fine
        }
        return try ContributionMap(lattice: lattice, shape: m, values: v, name: name)
    }
}

/// The ratio of two maps on the same grid, e.g. CO₂ over CH₄ contributions: a
/// selectivity map.
///
/// Guard: where |denominator| ≤ `threshold` the ratio is undefined; those points hold
/// `fill` in `map` (0 unless chosen otherwise, since volumetric formats have no NaN that
/// every viewer reads) and are flagged in `defined`. The threshold is
/// `relativeGuard` × max |denominator| over the map (default 10⁻³), or an absolute value.
public struct SelectivityMap: Sendable {
    public let map: ContributionMap
    public let defined: [Bool]
    public let threshold: Double
    public var undefinedCount: Int { defined.lazy.filter { !$0 }.count }

    public static let defaultRelativeGuard = 1e-3

    public init(numerator a: ContributionMap, denominator b: ContributionMap,
                relativeGuard: Double = SelectivityMap.defaultRelativeGuard, absoluteGuard: Double? = nil,
                fill: Double = 0) throws {
        guard a.shape == b.shape else {
            throw X3Error(.invalidArgument, "selectivity of maps of different grids (\(a.n1)x\(a.n2)x\(a.n3) and \(b.n1)x\(b.n2)x\(b.n3))")
        }
        guard relativeGuard.isFinite, relativeGuard >= 0, absoluteGuard.map({ $0.isFinite && $0 >= 0 }) ?? true else {
            throw X3Error(.invalidArgument, "the selectivity guard must be a finite number ≥ 0")
        }
        let scale = b.values.reduce(0) { max($0, abs($1)) }
        threshold = absoluteGuard ?? relativeGuard * scale
        var out = [Double](repeating: fill, count: a.count), ok = [Bool](repeating: false, count: a.count)
        for i in 0..<a.count where abs(b.values[i]) > threshold && b.values[i] != 0 {
            out[i] = a.values[i] / b.values[i]
            ok[i] = true
        }
        defined = ok
        map = try ContributionMap(lattice: a.lattice, shape: a.shape, values: out, name: "\(a.name)/\(b.name)")
    }
}
