import X3Core

/// The atoms of one unit cell sorted into bins of a fractional grid, for finding every
/// periodic image of every atom within a radius R of any point, in time proportional to
/// the number of atoms found (times a constant set by the bin shape).
///
/// A point r is within R of a centre p only if every fractional coordinate of r − p is
/// within R·|bᵢ| of zero (bᵢ the reciprocal vectors, |bᵢ| = 1 / perpendicular width i),
/// for any cell however skewed. So a query visits the bins — unbounded in index, each
/// one an image g of a bin of the cell — whose fractional slabs meet that box, and tests
/// the distance of each atom image in them. Each (atom, image) pair lies in exactly one
/// such bin, so it is found at most once: image multiplicity is exact.
struct PeriodicCellList {
    let lattice: Lattice
    /// Bins per lattice direction.
    let m: (Int, Int, Int)
    /// CSR: the atoms of bin b are entries binStart[b] ..< binStart[b + 1].
    let binStart: [Int]
    /// Per entry (bin order): source atom index, Cartesian position of the atom wrapped
    /// into the cell, and the integer shift k with stored fractional = wrapped + k.
    let source: [Int32]
    let x: [Double], y: [Double], z: [Double]
    let k1: [Int32], k2: [Int32], k3: [Int32]
    /// Per source atom (structure order): Cartesian position of the wrapped atom and its
    /// shift k, for rebuilding an entry from a packed key.
    let wrappedCartesian: [Vec3]
    let shiftOfSource: [SIMD3<Int32>]
    let radius: Double
    /// R·|bᵢ|: the half-extent of the sphere in fractional coordinate i.
    let reach: Vec3

    /// Bins aim at this fraction of R across along axes 1 and 2. Throughput is flat
    /// within ±10 % for 0.34–1.0 on FAU, a 2400-atom MOF and QMOF (benchmarks/run.sh);
    /// 0.75 was marginally best.
    static let binWidthOverRadius = 0.75
    /// Along axis 3 bins are nearly free (runs of them are one range), so they are finer.
    static let axis3BinWidthOverRadius = 0.25

    init(structure s: Structure, radius: Double) {
        lattice = s.lattice
        self.radius = radius
        let widths = s.lattice.perpendicularWidths
        let targets = [PeriodicCellList.binWidthOverRadius, PeriodicCellList.binWidthOverRadius,
                       PeriodicCellList.axis3BinWidthOverRadius].map { $0 * radius }
        var mm = [0, 1, 2].map { max(1, Int(min(widths[$0] / targets[$0], 1e6))) }
        // Keep the bin count modest for sparse cells: at most 8 bins per atom (+64).
        let maxBins = 8 * s.count + 64
        while mm[0] * mm[1] * mm[2] > maxBins {
            let i = mm.firstIndex(of: mm.max()!)!
            mm[i] = max(1, mm[i] / 2)
        }
        m = (mm[0], mm[1], mm[2])
        let nb = mm[0] * mm[1] * mm[2]
        reach = Vec3(radius * norm(s.lattice.reciprocal.0), radius * norm(s.lattice.reciprocal.1),
                     radius * norm(s.lattice.reciprocal.2))

        // Wrap each atom and find its bin.
        let n = s.count
        var bin = [Int](repeating: 0, count: n)
        var wrapped = [Vec3](repeating: .zero, count: n)
        var shift = [SIMD3<Int32>](repeating: .zero, count: n)
        var counts = [Int](repeating: 0, count: nb + 1)
        for (i, f) in s.fractionalPositions.enumerated() {
            var w = f, k = SIMD3<Int32>.zero, b = [0, 0, 0]
            for d in 0..<3 {
                let fl = f[d].rounded(.down)
                var wd = f[d] - fl
                var kd = fl
                if wd >= 1 { wd -= 1; kd += 1 }  // f − ⌊f⌋ rounds up to 1 for tiny negative f
                w[d] = wd
                k[d] = Int32(kd)
                b[d] = min(mm[d] - 1, Int(wd * Double(mm[d])))
            }
            wrapped[i] = w
            shift[i] = k
            bin[i] = (b[0] * mm[1] + b[1]) * mm[2] + b[2]
            counts[bin[i] + 1] += 1
        }
        for b in 0..<nb { counts[b + 1] += counts[b] }
        binStart = counts
        var fill = Array(counts.dropLast())
        var src = [Int32](repeating: 0, count: n)
        var xs = [Double](repeating: 0, count: n), ys = xs, zs = xs
        var s1 = [Int32](repeating: 0, count: n), s2 = s1, s3 = s1
        for i in 0..<n {  // increasing i within each bin
            let e = fill[bin[i]]
            fill[bin[i]] += 1
            src[e] = Int32(i)
            let r = s.lattice.cartesian(wrapped[i])
            xs[e] = r.x; ys[e] = r.y; zs[e] = r.z
            s1[e] = shift[i].x; s2[e] = shift[i].y; s3[e] = shift[i].z
        }
        source = src; x = xs; y = ys; z = zs; k1 = s1; k2 = s2; k3 = s3
        wrappedCartesian = wrapped.map { s.lattice.cartesian($0) }
        shiftOfSource = shift
    }

    // ---- Packed keys: (source, image) in one UInt64 that sorts in the documented order.
    // Bits 36…63 source atom (< 2²⁸), then 12 bits per cell-image component, stored
    // relative to the centre's cell ⌊fc⌋ and offset by 2048. Usable when every image a
    // window can reach lies within ±2047 cells of the centre's cell.
    static let keyOffset: Int32 = 2048

    /// Whether packed keys can represent every entry of a window of this list.
    var packable: Bool {
        source.count < (1 << 28) && reach.max() + 2 < Double(Self.keyOffset - 8)
    }

    @inline(__always)
    func key(_ e: Int, _ q1: Int32, _ q2: Int32, _ q3: Int32, base: SIMD3<Int32>) -> UInt64 {
        let o = Self.keyOffset
        return UInt64(source[e]) << 36 | UInt64(q1 - base.x + o) << 24 | UInt64(q2 - base.y + o) << 12
            | UInt64(q3 - base.z + o)
    }

    /// Decodes a key into (source, cell image q).
    @inline(__always)
    func decode(_ key: UInt64, base: SIMD3<Int32>) -> (Int, SIMD3<Int32>) {
        let o = Self.keyOffset
        let q = SIMD3<Int32>(Int32(truncatingIfNeeded: (key >> 24) & 0xFFF) - o + base.x,
                             Int32(truncatingIfNeeded: (key >> 12) & 0xFFF) - o + base.y,
                             Int32(truncatingIfNeeded: key & 0xFFF) - o + base.z)
        return (Int(key >> 36), q)
    }

    /// The position of cell image q of wrapped source atom j relative to the point pc,
    /// with the same floating-point operations as `gather`.
    @inline(__always)
    func relative(_ j: Int, _ q: SIMD3<Int32>, cartesian pc: Vec3) -> Vec3 {
        let (a, b, c) = lattice.vectors
        let t = ((Double(q.x) * a - pc) + Double(q.y) * b) + Double(q.z) * c
        return wrappedCartesian[j] + t
    }

    /// Calls `found(entry, g1, g2, g3, dx, dy, dz)` for every atom image within R
    /// (inclusive: |d|² ≤ R²) of the point with fractional coordinates `fc` and Cartesian
    /// coordinates `pc`, where (g₁, g₂, g₃) is the cell image the wrapped atom is in and
    /// d its position relative to the point, Å.
    @inline(__always)
    func gather(fractional fc: Vec3, cartesian pc: Vec3,
                _ found: (Int, Int32, Int32, Int32, Double, Double, Double) -> Void) {
        let r2 = radius * radius
        let (a, b, c) = lattice.vectors
        let eps = 1e-6
        func range(_ d: Int, _ mi: Int) -> ClosedRange<Int> {
            let lo = ((fc[d] - reach[d]) * Double(mi) - eps).rounded(.down)
            let hi = ((fc[d] + reach[d]) * Double(mi) + eps).rounded(.down)
            return Int(lo)...Int(hi)
        }
        let (m1, m2, m3) = m
        let r1 = range(0, m1), r2r = range(1, m2), r3 = range(2, m3)
        binStart.withUnsafeBufferPointer { start in
        x.withUnsafeBufferPointer { xs in
        y.withUnsafeBufferPointer { ys in
        z.withUnsafeBufferPointer { zs in
            for g1 in r1 {
                let q1 = floorDiv(g1, m1), b1 = g1 - q1 * m1
                let t1 = Double(q1) * a - pc
                for g2 in r2r {
                    let q2 = floorDiv(g2, m2), b2 = g2 - q2 * m2
                    let t2 = t1 + Double(q2) * b
                    let row = (b1 * m2 + b2) * m3
                    // Along axis 3 the bins of one cell image are consecutive in the CSR
                    // arrays: visit each run of g3 with the same image q3 as one range.
                    var g3 = r3.lowerBound
                    while g3 <= r3.upperBound {
                        let q3 = floorDiv(g3, m3)
                        let last = min(r3.upperBound, (q3 + 1) * m3 - 1)
                        let lo = start[row + g3 - q3 * m3], hi = start[row + last - q3 * m3 + 1]
                        g3 = last + 1
                        if lo == hi { continue }
                        let t = t2 + Double(q3) * c
                        for e in lo..<hi {
                            let dx = xs[e] + t.x, dy = ys[e] + t.y, dz = zs[e] + t.z
                            if dx * dx + dy * dy + dz * dz <= r2 {
                                found(e, Int32(q1), Int32(q2), Int32(q3), dx, dy, dz)
                            }
                        }
                    }
                }
            }
        }}}}
    }
}

@inline(__always) func floorDiv(_ a: Int, _ b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
