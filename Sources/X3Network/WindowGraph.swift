import X3Core

/// Many windows packed into one graph batch: nodes concatenated window after window,
/// edges sorted by target node, so per-target operations (softmax over incoming edges,
/// sums of messages) work on contiguous ranges.
///
/// Nodes of a window: its atoms in window order, then (optionally) a probe node at the
/// window centre with species 0. Edges: for each target node, the sources within the
/// internal cutoff (distance in (10⁻⁸ Å, cutoff)): the `maxNeighbours` nearest, plus any
/// tied with the last of them within 10⁻⁶ Å (so atom order and rounding never choose
/// among equidistant neighbours); in order of distance, then source index.
/// Edge vector v = r_target − r_source.
public struct GraphBatch: Sendable {
    public let windows: Int
    /// Species per node: 0 for the probe, else the atomic number.
    public let species: [Int32]
    public let positions: [Vec3]
    public let windowOfNode: [Int32]
    /// The probe node of each window (−1 without probes).
    public let probe: [Int32]
    /// First node of each window, windows + 1 values.
    public let nodeOffsets: [Int]
    public let source: [Int32], target: [Int32]
    public let vectors: [Vec3]
    public let lengths: [Double]
    /// Incoming edges of node n: targetOffsets[n] ..< targetOffsets[n + 1].
    public let targetOffsets: [Int]

    /// Sources within this distance (Å) of the last one kept count as tied with it.
    public static let tieTolerance = 1e-6

    public var nodeCount: Int { species.count }
    public var edgeCount: Int { source.count }

    /// One window given as atomic numbers and positions relative to its centre.
    public struct Window: Sendable {
        public var atomicNumbers: [Int32]
        public var positions: [Vec3]
        public init(atomicNumbers: [Int32], positions: [Vec3]) {
            self.atomicNumbers = atomicNumbers
            self.positions = positions
        }
    }

    public init(_ ws: [Window], cutoff: Double, maxNeighbours: Int, probe useProbe: Bool) {
        var species: [Int32] = [], pos: [Vec3] = [], win: [Int32] = [], probe: [Int32] = [], offs = [0]
        var src: [Int32] = [], tgt: [Int32] = [], vec: [Vec3] = [], len: [Double] = [], toff = [0]
        let c2 = cutoff * cutoff
        for (w, window) in ws.enumerated() {
            let base = species.count
            var p = window.positions, z = window.atomicNumbers
            if useProbe { p.append(.zero); z.append(0) }
            species += z
            pos += p
            win += Array(repeating: Int32(w), count: z.count)
            probe.append(useProbe ? Int32(base + z.count - 1) : -1)
            // neighbours by an x-sweep, then per target the nearest maxNeighbours
            let n = z.count
            let order = (0..<n).sorted { p[$0].x < p[$1].x || (p[$0].x == p[$1].x && $0 < $1) }
            var rank = [Int](repeating: 0, count: n)
            for (k, i) in order.enumerated() { rank[i] = k }
            for t in 0..<n {
                var cand: [(Double, Int)] = []
                var k = rank[t] - 1
                while k >= 0 && p[t].x - p[order[k]].x < cutoff {
                    let s = order[k]; let d = p[t] - p[s]; let d2 = dot(d, d)
                    if d2 < c2 && d2 > 1e-16 { cand.append((d2, s)) }
                    k -= 1
                }
                k = rank[t] + 1
                while k < n && p[order[k]].x - p[t].x < cutoff {
                    let s = order[k]; let d = p[t] - p[s]; let d2 = dot(d, d)
                    if d2 < c2 && d2 > 1e-16 { cand.append((d2, s)) }
                    k += 1
                }
                cand.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
                // Keep the nearest maxNeighbours, and every source tied with the last kept
                // one within 1e-6 Å, so neither atom order nor rounding picks among ties.
                var keep = min(cand.count, maxNeighbours)
                if keep > 0 && keep < cand.count {
                    let limit = cand[keep - 1].0.squareRoot() + GraphBatch.tieTolerance
                    while keep < cand.count && cand[keep].0.squareRoot() <= limit { keep += 1 }
                }
                for (d2, s) in cand.prefix(keep) {
                    src.append(Int32(base + s)); tgt.append(Int32(base + t))
                    vec.append(p[t] - p[s]); len.append(d2.squareRoot())
                }
                toff.append(src.count)
            }
            offs.append(species.count)
        }
        windows = ws.count
        self.species = species; positions = pos; windowOfNode = win; self.probe = probe; nodeOffsets = offs
        source = src; target = tgt; vectors = vec; lengths = len; targetOffsets = toff
    }
}
