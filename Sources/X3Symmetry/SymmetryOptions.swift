import X3Core
import X3Windows

/// Whether a structure's windows are reduced by its symmetry, and with which tolerance.
public struct SymmetryOptions: Sendable, Equatable {
    /// Evaluate one window per orbit of the symmetry-adapted grid (true, the default) or
    /// every window of the plain grid (false).
    public var enabled: Bool
    /// Distance tolerance of the symmetry search and check, Å (see `CrystalSymmetry`).
    public var tolerance: Double
    /// With `enabled`: evaluate one window per orbit (true, the default), or every window
    /// of the symmetry-adapted grid (false: to check the reduction against a full evaluation).
    public var reduce: Bool

    public init(enabled: Bool = true, tolerance: Double = CrystalSymmetry.defaultTolerance, reduce: Bool = true) {
        self.enabled = enabled
        self.tolerance = tolerance
        self.reduce = reduce
    }

    /// Every window of the plain grid.
    public static let off = SymmetryOptions(enabled: false)

    /// The symmetry of `s` (none when disabled) and the window grid of `step` (Å) with its
    /// orbits: the symmetry-adapted grid (each point its own orbit without `reduce`), or
    /// the plain grid when disabled.
    public func orbits(_ s: Structure, step: Double, maxWindows: Int = WindowLimits().maxWindows) throws
        -> (symmetry: CrystalSymmetry, orbits: WindowOrbits) {
        try CrystalSymmetry.validate(tolerance: tolerance)
        guard enabled else {
            let grid = try WindowGrid(lattice: s.lattice, step: step, maxWindows: maxWindows)
            return (.trivial(tolerance: tolerance), WindowOrbits(grid: grid))
        }
        let symmetry = try CrystalSymmetry(of: s, tolerance: tolerance)
        let orbits = try WindowOrbits(lattice: s.lattice, step: step, symmetry: symmetry, maxWindows: maxWindows)
        return (symmetry, reduce ? orbits : WindowOrbits(grid: orbits.grid))
    }
}
