import X3Core
import X3Windows

/// Running mean and standard deviation (Welford); `std` is the sample standard deviation
/// (n − 1 in the denominator), 0 for n < 2.
public struct RunningStats: Sendable, Equatable {
    public private(set) var n = 0
    public private(set) var mean = 0.0
    private var m2 = 0.0

    public init() {}

    public mutating func add(_ x: Double) {
        n += 1
        let d = x - mean
        mean += d / Double(n)
        m2 += d * (x - mean)
    }

    public var std: Double { n < 2 ? 0 : (m2 / Double(n - 1)).squareRoot() }
}

/// One distinct site (one WL hash) of a catalogue.
public struct Site: Sendable {
    public let hash: String
    /// Windows with this hash, and distinct structures they came from.
    public internal(set) var count: Int
    public internal(set) var structureCount: Int
    /// The first window seen with this hash.
    public let exampleStructure: String
    public let exampleWindow: Int
    public let exampleCentre: Vec3
    public let exampleFractionalCentre: Vec3
    /// The example window's atoms, all of them (before removal), positions relative to
    /// the centre, Å.
    public let exampleAtomicNumbers: [Int32]
    public let examplePositions: [Double]
    /// Statistics of the supplied per-window values, one per target (n = 0 when none).
    public internal(set) var stats: [RunningStats]

    /// Distance (Å) from the example window's centre to its nearest atom; nil when the
    /// window is empty. Large for a site centred in a pore or cage, small on a wall.
    public var nearestAtomDistance: Double? {
        guard !exampleAtomicNumbers.isEmpty else { return nil }
        var best = Double.infinity
        for i in 0..<exampleAtomicNumbers.count {
            let x = examplePositions[3 * i], y = examplePositions[3 * i + 1], z = examplePositions[3 * i + 2]
            best = min(best, (x * x + y * y + z * z).squareRoot())
        }
        return best
    }
    var lastStructure: Int
}

/// Groups the windows of many structures by the WL hash of their bond graphs: counts,
/// one example each, and per-target statistics of per-window values (e.g. a model's
/// contributions). Structures are added in order; results do not depend on threads.
public final class SiteCatalogue: @unchecked Sendable {
    public let options: SiteGraphOptions
    public let targets: [String]
    public private(set) var sites: [Site] = []
    private var index: [String: Int] = [:]
    public private(set) var windowCount = 0
    public private(set) var structureCount = 0

    public init(options: SiteGraphOptions, targets: [String] = []) throws {
        try options.validate()
        self.options = options
        self.targets = targets
    }

    /// Adds every window of one structure. `values`: count × targets.count, row-major
    /// (window w, target t at w·T + t), or nil. Non-finite values are refused.
    /// `sameAs` (optional): per window, a window known to hold the same atoms up to an
    /// isometry (the representative of its symmetry orbit, which is its own), so only the
    /// representatives' bond graphs are hashed.
    public func add(_ ws: Windows, structure id: String, values: [Double]? = nil, sameAs: [Int]? = nil,
                    threads: Int = X3Threads.count) throws {
        let t = targets.count
        if let values {
            guard values.count == ws.count * t else {
                throw X3Error(.invalidArgument,
                    "\(values.count) values for \(ws.count) windows × \(t) targets (expected \(ws.count * t))")
            }
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw X3Error(.invalidArgument, "value \(bad) (window \(bad / max(t, 1))) is not finite")
            }
        }
        let hashes = try BondGraphs.hashes(ws, options: options, sameAs: sameAs, threads: threads)
        let me = structureCount
        for (w, h) in hashes.enumerated() {
            let k: Int
            if let found = index[h] {
                k = found
                sites[k].count += 1
                if sites[k].lastStructure != me { sites[k].structureCount += 1; sites[k].lastStructure = me }
            } else {
                k = sites.count
                index[h] = k
                let r = ws.atomRange(w)
                sites.append(Site(hash: h, count: 1, structureCount: 1, exampleStructure: id, exampleWindow: w,
                                  exampleCentre: ws.cartesianCentre(w), exampleFractionalCentre: ws.fractionalCentres[w],
                                  exampleAtomicNumbers: Array(ws.atomicNumbers[r]),
                                  examplePositions: Array(ws.positions[(3 * r.lowerBound)..<(3 * r.upperBound)]),
                                  stats: Array(repeating: RunningStats(), count: t), lastStructure: me))
            }
            if let values { for j in 0..<t { sites[k].stats[j].add(values[w * t + j]) } }
        }
        windowCount += ws.count
        structureCount += 1
    }

    /// Sites ranked by the mean of target `rankBy` (descending, or ascending with
    /// `lowest`), or by window count (descending) when nil; ties by hash. Only sites seen
    /// in at least `minCount` windows; at most `top` of them (all when nil).
    public func ranked(by rankBy: Int?, top: Int? = nil, lowest: Bool = false, minCount: Int = 1) throws -> [Site] {
        if let rankBy, !(0..<targets.count).contains(rankBy) {
            throw X3Error(.indexOutOfRange, "rank target \(rankBy) is outside 0..<\(targets.count)")
        }
        let sign = lowest ? -1.0 : 1.0
        let sorted = sites.filter { $0.count >= minCount }.sorted { a, b in
            if let t = rankBy {
                let ma = a.stats[t].n > 0 ? sign * a.stats[t].mean : -Double.infinity
                let mb = b.stats[t].n > 0 ? sign * b.stats[t].mean : -Double.infinity
                if ma != mb { return ma > mb }
            } else if a.count != b.count {
                return a.count > b.count
            }
            return a.hash < b.hash
        }
        return Array(sorted.prefix(top ?? sorted.count))
    }
}
