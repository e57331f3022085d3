import X3Core

/// Tells whether a symmetry operation maps a structure's atoms onto atoms of the same
/// element, each within a distance tolerance (Å, through the periodic boundaries).
///
/// Atoms sit in a periodic grid of bins at least `max(tolerance, 1 Å)` wide, so a query
/// looks at the 27 bins around a point (all bins along an axis with fewer than 3).
struct AtomMatcher {
    let structure: Structure
    let tolerance: Double
    private let bins: (Int, Int, Int)
    /// Per bin: its first atom (-1 when empty); per atom: the next in its bin.
    private var head: [Int32], next: [Int32]
    private let positions: [Vec3]

    static let maxBins = 1 << 20

    init(_ s: Structure, tolerance: Double) {
        structure = s
        self.tolerance = tolerance
        positions = s.fractionalPositions.map(Lattice.wrap)
        let w = s.lattice.perpendicularWidths, width = max(tolerance, 1)
        var n = [w.x, w.y, w.z].map { max(1, min(1024, Int($0 / width))) }
        while n[0] * n[1] * n[2] > Self.maxBins { n[n.firstIndex(of: n.max()!)!] /= 2 }
        bins = (n[0], n[1], n[2])
        head = Array(repeating: -1, count: n[0] * n[1] * n[2])
        next = Array(repeating: -1, count: s.count)
        for (i, f) in positions.enumerated() {
            let b = key(bin(f))
            next[i] = head[b]
            head[b] = Int32(i)
        }
    }

    private func bin(_ f: Vec3) -> (Int, Int, Int) {
        (min(bins.0 - 1, Int(f.x * Double(bins.0))), min(bins.1 - 1, Int(f.y * Double(bins.1))),
         min(bins.2 - 1, Int(f.z * Double(bins.2))))
    }

    private func key(_ b: (Int, Int, Int)) -> Int {
        let i = (b.0 % bins.0 + bins.0) % bins.0, j = (b.1 % bins.1 + bins.1) % bins.1
        let k = (b.2 % bins.2 + bins.2) % bins.2
        return (i * bins.1 + j) * bins.2 + k
    }

    private static func reach(_ n: Int) -> ClosedRange<Int> { n >= 3 ? -1...1 : 0...(n - 1) }

    /// The index of an atom of atomic number `z` within the tolerance of fractional `f`, or nil.
    func atom(near f: Vec3, z: Int) -> Int? {
        let p = Lattice.wrap(f)
        let (b0, b1, b2) = bin(p)
        let tol2 = tolerance * tolerance
        for d0 in Self.reach(bins.0) {
            for d1 in Self.reach(bins.1) {
                for d2 in Self.reach(bins.2) {
                    // With fewer than 3 bins the offsets run over every bin instead.
                    let b = key((bins.0 >= 3 ? b0 + d0 : d0, bins.1 >= 3 ? b1 + d1 : d1, bins.2 >= 3 ? b2 + d2 : d2))
                    var j = Int(head[b])
                    while j >= 0 {
                        if structure.atomicNumbers[j] == z {
                            var d = positions[j] - p
                            d -= d.rounded(.toNearestOrAwayFromZero)
                            let r = structure.lattice.cartesian(d)
                            if dot(r, r) <= tol2 { return j }
                        }
                        j = Int(next[j])
                    }
                }
            }
        }
        return nil
    }

    /// True when `op` sends every atom within the tolerance of an atom of its element,
    /// and no two atoms onto the same one.
    func maps(_ op: SymmetryOperation) -> Bool {
        var hit = [Bool](repeating: false, count: structure.count)
        for (i, f) in structure.fractionalPositions.enumerated() {
            guard let j = atom(near: op.apply(f), z: structure.atomicNumbers[i]), !hit[j] else { return false }
            hit[j] = true
        }
        return true
    }
}
