import X3Core

/// Class of a contribution within a structure (paper Fig. 4c).
public enum ContributionClass: String, Sendable {
    case strong, medium, weak
}

/// The distribution of one structure's window contributions to one target.
///
/// `bins` equal-width bins span [min, max] of the contributions (the last bin includes
/// max; a structure whose contributions are all equal gets one bin of zero width). A
/// bin's class follows the third of [min, max] its centre lies in: with `strongEnd`
/// = .high the upper third is strong and the lower third weak; with .low the reverse.
/// Windows are classed the same way, by their own value.
public struct StructureHistogram: Sendable {
    public struct Bin: Sendable {
        public let low: Double, high: Double
        public let count: Int
        public let contributionClass: ContributionClass
    }
    public let target: String
    public let bins: [Bin]
    public let windowCount: Int
    /// Windows per class.
    public let strong: Int, medium: Int, weak: Int

    public init(_ values: [Double], target: String, bins: Int = 20, strongEnd: StrongEnd = .high) throws {
        guard bins >= 1, bins <= 100_000 else { throw X3Error(.invalidArgument, "histogram bins = \(bins); use 1...100000") }
        guard !values.isEmpty else { throw X3Error(.invalidArgument, "a histogram of no contributions") }
        guard values.allSatisfy({ $0.isFinite }) else { throw X3Error(.invalidArgument, "a contribution is not finite") }
        let lo = values.min()!, hi = values.max()!
        let nb = hi > lo ? bins : 1
        let width = (hi - lo) / Double(nb)
        var counts = [Int](repeating: 0, count: nb)
        for v in values { counts[nb == 1 ? 0 : min(nb - 1, Int((v - lo) / width))] += 1 }
        func classOf(_ v: Double) -> ContributionClass {
            guard hi > lo else { return .medium }
            let third = (v - lo) / (hi - lo) * 3
            let upper: ContributionClass = strongEnd == .high ? .strong : .weak
            let lower: ContributionClass = strongEnd == .high ? .weak : .strong
            return third >= 2 ? upper : third < 1 ? lower : .medium
        }
        self.bins = (0..<nb).map { b in
            let l = lo + Double(b) * width, h = b == nb - 1 ? hi : lo + Double(b + 1) * width
            return Bin(low: l, high: h, count: counts[b], contributionClass: classOf((l + h) / 2))
        }
        let classes = values.map(classOf)
        strong = classes.filter { $0 == .strong }.count
        medium = classes.filter { $0 == .medium }.count
        weak = classes.filter { $0 == .weak }.count
        windowCount = values.count
        self.target = target
    }

    /// CSV: bin_low, bin_high, windows, fraction, class.
    public var csv: String {
        var lines = ["bin_low,bin_high,windows,fraction,class"]
        for b in bins {
            lines.append("\(repr(b.low)),\(repr(b.high)),\(b.count),\(repr(Double(b.count) / Double(windowCount))),\(b.contributionClass.rawValue)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// The 2-D histogram of window contributions against the true property of their
/// structures, over a dataset (paper Fig. 4d): a ridge along y = x means that a
/// structure's contributions peak at its property.
///
/// `propertyBins` equal bins span the property range and `contributionBins` equal bins
/// the contribution range (each [min, max] of the data unless given; values outside a
/// given range are counted in `outside`, not binned). Each cell holds the number of
/// windows, and `fraction` normalises by the windows of that property column.
public struct DatasetHistogram: Sendable {
    public let target: String
    public let propertyEdges: [Double], contributionEdges: [Double]
    /// counts[p * contributionBins + c]
    public let counts: [Int]
    public let outside: Int

    public init(target: String, properties: [Double], contributions: [[Double]],
                propertyBins: Int = 20, contributionBins: Int = 40,
                propertyRange: (Double, Double)? = nil, contributionRange: (Double, Double)? = nil) throws {
        guard properties.count == contributions.count, !properties.isEmpty else {
            throw X3Error(.invalidArgument, "\(properties.count) properties for \(contributions.count) structures")
        }
        guard (1...10_000).contains(propertyBins), (1...10_000).contains(contributionBins) else {
            throw X3Error(.invalidArgument, "histogram bins must be in 1...10000")
        }
        let all = contributions.joined()
        guard properties.allSatisfy({ $0.isFinite }), all.allSatisfy({ $0.isFinite }) else {
            throw X3Error(.invalidArgument, "a property or contribution is not finite")
        }
        func edges(_ range: (Double, Double)?, _ data: [Double], _ n: Int) throws -> [Double] {
            var (lo, hi) = range ?? (data.min() ?? 0, data.max() ?? 1)
            guard lo.isFinite, hi.isFinite, lo <= hi else { throw X3Error(.invalidArgument, "histogram range [\(lo), \(hi)] is empty") }
            if hi == lo { lo -= 0.5; hi += 0.5 }
            return (0...n).map { $0 == n ? hi : lo + (hi - lo) * Double($0) / Double(n) }
        }
        propertyEdges = try edges(propertyRange, properties, propertyBins)
        contributionEdges = try edges(contributionRange, Array(all), contributionBins)
        func bin(_ x: Double, _ e: [Double]) -> Int? {
            let n = e.count - 1
            guard x >= e[0], x <= e[n] else { return nil }
            return min(n - 1, Int((x - e[0]) / (e[n] - e[0]) * Double(n)))
        }
        var c = [Int](repeating: 0, count: propertyBins * contributionBins), out = 0
        for (p, ws) in zip(properties, contributions) {
            guard let pb = bin(p, propertyEdges) else { out += ws.count; continue }
            for w in ws {
                if let cb = bin(w, contributionEdges) { c[pb * contributionBins + cb] += 1 } else { out += 1 }
            }
        }
        counts = c
        outside = out
        self.target = target
    }

    public var propertyBins: Int { propertyEdges.count - 1 }
    public var contributionBins: Int { contributionEdges.count - 1 }

    /// CSV, one row per cell: property_low, property_high, contribution_low,
    /// contribution_high, windows, fraction (of the windows of that property column).
    public var csv: String {
        var lines = ["property_low,property_high,contribution_low,contribution_high,windows,fraction"]
        let nc = contributionBins
        for p in 0..<propertyBins {
            let column = counts[(p * nc)..<((p + 1) * nc)].reduce(0, +)
            for c in 0..<nc {
                let k = counts[p * nc + c]
                lines.append("\(repr(propertyEdges[p])),\(repr(propertyEdges[p + 1])),\(repr(contributionEdges[c])),"
                             + "\(repr(contributionEdges[c + 1])),\(k),\(column > 0 ? repr(Double(k) / Double(column)) : "0")")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Shortest round-tripping decimal text of a double.
func repr(_ x: Double) -> String { "\(x)" }
