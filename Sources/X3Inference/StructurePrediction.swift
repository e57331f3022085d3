import X3Core
import X3Symmetry
import X3Windows

/// A model's prediction for one structure: the window contributions and their mean; for
/// an ensemble, the members' means and, as the uncertainty, their spread.
public struct StructurePrediction: Sendable {
    public let id: String
    public let windows: Windows
    /// contributions[w * targets + t], in the target's units (an ensemble's: the members'
    /// mean).
    public let contributions: [Double]
    /// The property per target: the mean of the contributions over all windows.
    public let property: [Double]
    public let targets: [String]
    /// The symmetry used and the orbits of the window grid: one window per orbit was
    /// evaluated, and its contribution given to every window of the orbit.
    public let symmetry: CrystalSymmetry
    public let orbits: WindowOrbits
    /// For an ensemble of two or more models, else nil: per window and target the sample
    /// standard deviation (n − 1) of the members' contributions, the same of the members'
    /// properties, and each member's property [member][target].
    public let contributionStd: [Double]?, propertyStd: [Double]?, memberProperties: [[Double]]?

    public init(id: String, windows: Windows, contributions: [Double], property: [Double], targets: [String],
                symmetry: CrystalSymmetry, orbits: WindowOrbits, contributionStd: [Double]? = nil,
                propertyStd: [Double]? = nil, memberProperties: [[Double]]? = nil) {
        self.id = id; self.windows = windows; self.contributions = contributions; self.property = property
        self.targets = targets; self.symmetry = symmetry; self.orbits = orbits
        self.contributionStd = contributionStd; self.propertyStd = propertyStd; self.memberProperties = memberProperties
    }

    public func contribution(_ w: Int, _ t: Int) -> Double { contributions[w * targets.count + t] }
    /// The members' standard deviation of window w's contribution to target t (nil for one model).
    public func contributionSpread(_ w: Int, _ t: Int) -> Double? { contributionStd?[w * targets.count + t] }

    /// Per window: the representative of its orbit (the window that was evaluated).
    public var representatives: [Int] { orbits.orbitOf.map { orbits.representatives[Int($0)] } }
}
