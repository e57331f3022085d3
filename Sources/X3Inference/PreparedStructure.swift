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
    /// The structure's mass density, g/cm³ (`ModelConfig.contributionScale` uses it).
    public let density: Double

    /// The prediction from the contributions of the representatives [orbit × targets].
    public func prediction(_ representativeContributions: [Double], targets: [String]) -> StructurePrediction {
        prediction(members: [representativeContributions], targets: targets)
    }

    /// The prediction from each ensemble member's contributions of the representatives
    /// [member][orbit × targets]: per window the members' mean, and with two or more
    /// members their sample standard deviation (n − 1) times the target's `spreadScale`
    /// (by default 1); the property is the members' mean property (each the mean over all
    /// windows), its uncertainty their standard deviation times that factor.
    public func prediction(members: [[Double]], targets: [String], spreadScale: [Double]? = nil) -> StructurePrediction {
        let T = targets.count, n = Double(max(1, windows.count)), J = members.count
        let expanded = members.map { orbits.expand($0, width: T) }
        let properties = expanded.map { all in
            var p = [Double](repeating: 0, count: T)
            for w in 0..<windows.count { for t in 0..<T { p[t] += all[w * T + t] } }
            return p.map { $0 / n }
        }
        guard J > 1 else {
            return StructurePrediction(id: id, windows: windows, contributions: expanded[0], property: properties[0],
                                       targets: targets, symmetry: symmetry, orbits: orbits)
        }
        let (contributions, rawContributionStd) = Self.meanAndSpread(expanded)
        let (property, rawPropertyStd) = Self.meanAndSpread(properties)
        let scale = spreadScale ?? [Double](repeating: 1, count: T)
        let contributionStd = rawContributionStd.indices.map { rawContributionStd[$0] * scale[$0 % T] }
        let propertyStd = (0..<T).map { rawPropertyStd[$0] * scale[$0] }
        return StructurePrediction(id: id, windows: windows, contributions: contributions, property: property,
                                   targets: targets, symmetry: symmetry, orbits: orbits,
                                   contributionStd: contributionStd, propertyStd: propertyStd, memberProperties: properties)
    }

    /// Elementwise mean and sample standard deviation (n − 1) of two or more equal-length
    /// arrays.
    static func meanAndSpread(_ xs: [[Double]]) -> ([Double], [Double]) {
        let J = Double(xs.count), mean = InferenceEngine.mean(xs)
        let spread = xs[0].indices.map { i in
            (xs.reduce(0) { $0 + ($1[i] - mean[i]) * ($1[i] - mean[i]) } / (J - 1)).squareRoot()
        }
        return (mean, spread)
    }
}
