import X3Core
import X3Symmetry
import X3Windows

/// A model's prediction for one structure: the window contributions and their mean.
public struct StructurePrediction: Sendable {
    public let id: String
    public let windows: Windows
    /// contributions[w * targets + t], in the target's units.
    public let contributions: [Double]
    /// The property per target: the mean of the contributions over all windows.
    public let property: [Double]
    public let targets: [String]
    /// The symmetry used and the orbits of the window grid: one window per orbit was
    /// evaluated, and its contribution given to every window of the orbit.
    public let symmetry: CrystalSymmetry
    public let orbits: WindowOrbits

    public func contribution(_ w: Int, _ t: Int) -> Double { contributions[w * targets.count + t] }

    /// Per window: the representative of its orbit (the window that was evaluated).
    public var representatives: [Int] { orbits.orbitOf.map { orbits.representatives[Int($0)] } }
}
