import X3Core

/// The regular grid of window centres over a unit cell.
///
/// Conventions (fixed; include/x3mat.h states the same):
/// - Along lattice vector aᵢ there are nᵢ = max(1, ⌈|aᵢ| / s − 10⁻⁹⌉) points for a step
///   s in Å. (The 10⁻⁹ keeps |aᵢ|/s = 12 + rounding noise at 12 points.)
/// - Grid point (k₁, k₂, k₃), 0 ≤ kᵢ < nᵢ, sits at fractional (k₁/n₁, k₂/n₂, k₃/n₃):
///   offset 0, so the origin of the cell is a centre and a 2×1×1 supercell with
///   n₁' = 2n₁ reproduces the cell's centres exactly.
/// - Windows are numbered in C order with k₃ fastest: index = (k₁·n₂ + k₂)·n₃ + k₃,
///   the order of a Gaussian cube file's data.
public struct WindowGrid: Equatable, Sendable {
    public let n1: Int, n2: Int, n3: Int
    /// The real-space step the grid was made from, Å.
    public let step: Double

    /// Tolerance subtracted from |aᵢ|/s before rounding up.
    public static let roundingTolerance = 1e-9

    /// The grid for a lattice and a step (Å). Throws `.invalidArgument` for a step that is
    /// not a positive finite number and `.outOfMemory` when the grid would hold more than
    /// `maxWindows` points.
    public init(lattice: Lattice, step: Double, maxWindows: Int) throws {
        guard step.isFinite, step > 0 else {
            throw X3Error(.invalidArgument, "step = \(step) Å; it must be a positive finite number")
        }
        let counts = Self.counts(lattice: lattice, step: step)
        let total = counts[0] * counts[1] * counts[2]
        guard total <= Double(maxWindows) else {
            throw X3Error(.outOfMemory,
                "a step of \(step) Å gives a grid of \(Self.describe(counts[0])) x \(Self.describe(counts[1])) x "
                + "\(Self.describe(counts[2])) windows, more than the cap of \(maxWindows) windows "
                + "(increase the step or raise the cap)")
        }
        n1 = Int(counts[0]); n2 = Int(counts[1]); n3 = Int(counts[2])
        self.step = step
    }

    /// A grid of n₁ × n₂ × n₃ points (each ≥ 1) for a step (Å), e.g. one refined so the
    /// symmetry of a structure maps it onto itself.
    public init(counts: (Int, Int, Int), step: Double, maxWindows: Int) throws {
        guard counts.0 >= 1, counts.1 >= 1, counts.2 >= 1 else {
            throw X3Error(.invalidArgument, "grid \(counts.0) x \(counts.1) x \(counts.2): every count must be at least 1")
        }
        let (total, overflow) = counts.0.multipliedReportingOverflow(by: counts.1)
        guard !overflow, total <= maxWindows, total * counts.2 <= maxWindows else {
            throw X3Error(.outOfMemory, "a grid of \(counts.0) x \(counts.1) x \(counts.2) windows is more than the cap "
                + "of \(maxWindows) windows (increase the step or raise the cap)")
        }
        (n1, n2, n3) = counts
        self.step = step
    }

    /// The plain point counts of a step: nᵢ = max(1, ⌈|aᵢ| / s − 10⁻⁹⌉) (as Double, so a
    /// tiny step cannot overflow).
    public static func counts(lattice: Lattice, step: Double) -> [Double] {
        let lengths = [norm(lattice.vectors.0), norm(lattice.vectors.1), norm(lattice.vectors.2)]
        return lengths.map { max(1, ($0 / step - WindowGrid.roundingTolerance).rounded(.up)) }
    }

    private static func describe(_ x: Double) -> String {
        x < 1e15 ? String(Int(x)) : "\(x)"
    }

    public var count: Int { n1 * n2 * n3 }
    public var shape: (Int, Int, Int) { (n1, n2, n3) }

    /// The window index of grid point (k₁, k₂, k₃).
    @inlinable public func index(_ k1: Int, _ k2: Int, _ k3: Int) -> Int { (k1 * n2 + k2) * n3 + k3 }

    /// The grid point of a window index.
    @inlinable public func point(_ index: Int) -> (Int, Int, Int) {
        (index / (n2 * n3), (index / n3) % n2, index % n3)
    }

    /// Fractional coordinates of window `index`'s centre.
    @inlinable public func fractionalCentre(_ index: Int) -> Vec3 {
        let (k1, k2, k3) = point(index)
        return Vec3(Double(k1) / Double(n1), Double(k2) / Double(n2), Double(k3) / Double(n3))
    }
}
