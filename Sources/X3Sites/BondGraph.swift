import X3Core
import X3Windows

/// What happens to an element's atoms before a window's bond graph is hashed.
public enum RemovalMode: String, Sendable {
    /// Drop the atom and its bonds (H in MOFs).
    case delete
    /// Drop the atom and bond its neighbours pairwise (O in silica zeolites: two T atoms
    /// bridged by an O become neighbours, so the graph is the T-atom network).
    case contract
}

/// How windows become bond graphs and hashes.
///
/// Bond criterion: atoms i and j of a window are bonded when their distance is below
/// `tolerance` × (rᵢ + rⱼ), r the covalent radii of Cordero et al. (2008). The default
/// 1.2 sits between the bonds and the shortest non-bonds of the data: in the IZA
/// frameworks Si–O is 0.88–0.95 × (r_Si + r_O) while O···O in a tetrahedron is ≈ 2.0 ×
/// and Si···Si ≈ 1.4 ×; in MOFs C–H, C–C, C–O, M–O and M–N bonds fall at 0.9–1.1 ×, and
/// the closest non-bonded contacts (C···C across a ring, H···H) at ≥ 1.5 × (checked by
/// the tests on ../shared/data).
public struct SiteGraphOptions: Sendable, Equatable {
    public var tolerance: Double = 1.2
    /// Removal per atomic number, applied in the window's atom order.
    public var removal: [Int: RemovalMode] = [:]
    /// WL iterations (NetworkX's `iterations`).
    public var iterations: Int = 3
    /// BLAKE2b digest size in bytes (NetworkX's `digest_size`); the hash has 2× this many hex digits.
    public var digestSize: Int = 16

    public static let defaultTolerance = 1.2

    public init(tolerance: Double = SiteGraphOptions.defaultTolerance, removal: [Int: RemovalMode] = [:],
                iterations: Int = 3, digestSize: Int = 16) {
        self.tolerance = tolerance
        self.removal = removal
        self.iterations = iterations
        self.digestSize = digestSize
    }

    public func validate() throws {
        guard tolerance.isFinite, tolerance > 0, tolerance <= 10 else {
            throw X3Error(.invalidArgument, "bond tolerance = \(tolerance); it must lie in (0, 10]")
        }
        try WLHash.validate(iterations: iterations, digestSize: digestSize)
    }

    /// Parses "H:delete,O:contract" (elements by symbol, any capitalisation; "" for none).
    public static func parseRemoval(_ spec: String) throws -> [Int: RemovalMode] {
        var out: [Int: RemovalMode] = [:]
        for item in spec.split(separator: ",", omittingEmptySubsequences: true) {
            let parts = item.split(separator: ":", omittingEmptySubsequences: false).map {
                String($0).trimmingSpaces
            }
            guard parts.count == 2, let mode = RemovalMode(rawValue: parts[1].lowercased()) else {
                throw X3Error(.invalidArgument,
                    "removal '\(item)': write ELEMENT:delete or ELEMENT:contract, comma-separated (e.g. H:delete,O:contract)")
            }
            guard let z = Elements.atomicNumber(symbol: parts[0]) else {
                throw X3Error(.unknownElement, "removal '\(item)': '\(parts[0])' is not an element symbol")
            }
            if let old = out[z], old != mode {
                throw X3Error(.invalidArgument, "removal: element \(parts[0]) is given both as \(old.rawValue) and \(mode.rawValue)")
            }
            out[z] = mode
        }
        return out
    }

    /// The removal for a structure: "auto" deletes H when the structure holds carbon (a
    /// MOF) and otherwise contracts O (an oxide framework such as a zeolite); "none"
    /// removes nothing; anything else is parsed by `parseRemoval`.
    public static func removal(_ spec: String, for s: Structure) throws -> [Int: RemovalMode] {
        switch spec {
        case "auto": return s.atomicNumbers.contains(6) ? [1: .delete] : [8: .contract]
        case "none": return [:]
        default: return try parseRemoval(spec)
        }
    }

    /// "H deleted, O contracted", or "nothing removed".
    public static func describe(removal r: [Int: RemovalMode]) -> String {
        r.isEmpty ? "nothing removed" : r.sorted { $0.key < $1.key }
            .map { "\(Elements.all[$0.key - 1].symbol) \($0.value == .contract ? "contracted" : "deleted")" }
            .joined(separator: ", ")
    }
}


/// The bond graph of one window after element removal.
public struct WindowBondGraph: Sendable {
    /// For each node, the index of its atom within the window (0-based, window order).
    public var atoms: [Int]
    public var graph: LabelledGraph
}

public enum BondGraphs {
    static let symbols: [[UInt8]] = Elements.all.map { Array($0.symbol.utf8) }

    /// The full bond graph (no removal) of atoms with atomic numbers `z` and positions
    /// `p` (3 per atom, Å): adjacency lists, sorted.
    public static func bonds(z: ArraySlice<Int32>, positions p: ArraySlice<Double>, tolerance: Double) -> [[Int32]] {
        let n = z.count
        var adj = [[Int32]](repeating: [], count: n)
        if n < 2 { return adj }
        let z0 = z.startIndex, p0 = p.startIndex
        let radius = (0..<n).map { Elements.all[Int(z[z0 + $0]) - 1].covalentRadius }
        let maxCut = tolerance * 2 * (radius.max() ?? 0)
        // Sweep along x: only pairs closer than maxCut in x can be bonded.
        let order = (0..<n).sorted { p[p0 + 3 * $0] < p[p0 + 3 * $1] }
        for a in 0..<n {
            let i = order[a]
            let xi = p[p0 + 3 * i], yi = p[p0 + 3 * i + 1], zi = p[p0 + 3 * i + 2]
            var b = a + 1
            while b < n {
                let j = order[b]
                let dx = p[p0 + 3 * j] - xi
                if dx >= maxCut { break }
                let dy = p[p0 + 3 * j + 1] - yi, dz = p[p0 + 3 * j + 2] - zi
                let cut = tolerance * (radius[i] + radius[j])
                if dx * dx + dy * dy + dz * dz < cut * cut {
                    adj[i].append(Int32(j)); adj[j].append(Int32(i))
                }
                b += 1
            }
        }
        for i in 0..<n { adj[i].sort() }
        return adj
    }

    /// The bond graph of window `w` after removal, nodes labelled by element symbol.
    public static func graph(_ ws: Windows, window w: Int, options: SiteGraphOptions) -> WindowBondGraph {
        let r = ws.atomRange(w)
        let z = ws.atomicNumbers[r]
        let adjacency = bonds(z: z, positions: ws.positions[(3 * r.lowerBound)..<(3 * r.upperBound)],
                              tolerance: options.tolerance)
        return graph(z: Array(z), adjacency: adjacency, removal: options.removal)
    }

    /// Applies removal to a bond graph (adjacency over atoms with atomic numbers z).
    /// Atoms are processed in order: a deleted atom loses its bonds; a contracted atom
    /// first bonds each pair of its current neighbours, then goes.
    public static func graph(z: [Int32], adjacency: [[Int32]], removal: [Int: RemovalMode]) -> WindowBondGraph {
        let n = z.count
        if removal.isEmpty || !z.contains(where: { removal[Int($0)] != nil }) {
            var g = LabelledGraph(labels: z.map { symbols[Int($0) - 1] })
            for (i, ns) in adjacency.enumerated() { for j in ns where Int(j) > i { g.addEdge(i, Int(j)) } }
            g.finish()
            return WindowBondGraph(atoms: Array(0..<n), graph: g)
        }
        // Degrees are small (≤ ~12), so plain arrays with linear membership tests beat sets.
        var adj = adjacency
        var alive = [Bool](repeating: true, count: n)
        @inline(__always) func link(_ a: Int32, _ b: Int32) {
            if !adj[Int(a)].contains(b) { adj[Int(a)].append(b) }
        }
        for i in 0..<n {
            guard let mode = removal[Int(z[i])] else { continue }
            let ns = adj[i].filter { $0 != Int32(i) }
            if mode == .contract {
                for a in ns { for b in ns where a != b { link(a, b) } }
            }
            for a in ns { adj[Int(a)].removeAll { $0 == Int32(i) } }
            adj[i] = []
            alive[i] = false
        }
        let kept = (0..<n).filter { alive[$0] }
        var index = [Int](repeating: -1, count: n)
        for (k, i) in kept.enumerated() { index[i] = k }
        var g = LabelledGraph(labels: kept.map { symbols[Int(z[$0]) - 1] })
        for (k, i) in kept.enumerated() {
            for j in adj[i] where index[Int(j)] > k { g.addEdge(k, index[Int(j)]) }
        }
        g.finish()
        return WindowBondGraph(atoms: kept, graph: g)
    }

    /// WL hashes of every window, in window order (parallel over windows).
    public static func hashes(_ ws: Windows, options: SiteGraphOptions, sameAs: [Int]? = nil,
                              threads: Int = X3Threads.count) throws -> [String] {
        try options.validate()
        if let sameAs {
            guard sameAs.count == ws.count, sameAs.allSatisfy({ (0..<ws.count).contains($0) && sameAs[$0] == $0 }) else {
                throw X3Error(.invalidArgument, "sameAs must give, per window, a window that is its own representative")
            }
        }
        let computed = sameAs.map { m in (0..<ws.count).filter { m[$0] == $0 } } ?? Array(0..<ws.count)
        let results = TaskResults<String>(count: ws.count)
        parallelFor(tasks: computed.count, threads: threads) { k in
            let w = computed[k]
            let g = graph(ws, window: w, options: options)
            results[w] = (try? WLHash.hash(g.graph, iterations: options.iterations, digestSize: options.digestSize)) ?? ""
        }
        return (0..<ws.count).map { results[sameAs?[$0] ?? $0]! }
    }
}
