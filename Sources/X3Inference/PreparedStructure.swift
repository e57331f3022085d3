import X3Core
import X3Symmetry
import X3Windows

/// A structure made ready for the network: its symmetry, the orbits of its window grid
/// and its windows. One window per orbit (`orbits.representatives`) is evaluated.
public struct PreparedStructure: Sendable {
    public let id: String
    public let windows: Windows
    public let symmetry: CrystalSymmetry
    public let orbits: WindowOrbits

    /// The prediction from the contributions of the representatives [orbit × targets].
    public func prediction(_ representativeContributions: [Double], targets: [String]) -> StructurePrediction {
        let T = targets.count
        let all = orbits.expand(representativeContributions, width: T)
        var p = [Double](repeating: 0, count: T)
        for w in 0..<windows.count { for t in 0..<T { p[t] += all[w * T + t] } }
        return StructurePrediction(id: id, windows: windows, contributions: all,
                                   property: p.map { $0 / Double(max(1, windows.count)) },
                                   targets: targets, symmetry: symmetry, orbits: orbits)
    }
}
