/// Points of a unit cell (wrapped fractional coordinates) in a periodic grid of bins at
/// least `width` Å wide across, so every point within `width` of a position lies in the
/// 27 bins around it (every bin along an axis with fewer than 3). Bins are a flat array of
/// linked lists in insertion order; their number is capped (wider bins beyond that), so
/// memory and work stay linear in the points.
public struct PeriodicBins: Sendable {
    public let counts: (Int, Int, Int)
    /// Per bin: its first and last point (-1 when empty); per point: the next in its bin.
    private var head: [Int32], tail: [Int32], next: [Int32] = []
    /// Bin offsets to visit along each axis: -1...1, or every bin when there are fewer than 3.
    private let reach: (ClosedRange<Int>, ClosedRange<Int>, ClosedRange<Int>)

    public init(lattice: Lattice, width: Double, maxBins: Int = 1 << 21) {
        let w = lattice.perpendicularWidths  // at most 10⁴ Å (Lattice limits)
        var n = [w.x, w.y, w.z].map { max(1, min(1024, Int($0 / width))) }
        while n[0] * n[1] * n[2] > maxBins { n[n.firstIndex(of: n.max()!)!] /= 2 }
        counts = (n[0], n[1], n[2])
        head = Array(repeating: -1, count: n[0] * n[1] * n[2])
        tail = head
        func offsets(_ k: Int) -> ClosedRange<Int> { k >= 3 ? -1...1 : 0...(k - 1) }
        reach = (offsets(n[0]), offsets(n[1]), offsets(n[2]))
    }

    private func bin(_ f: Vec3) -> (Int, Int, Int) {
        (min(counts.0 - 1, Int(f.x * Double(counts.0))), min(counts.1 - 1, Int(f.y * Double(counts.1))),
         min(counts.2 - 1, Int(f.z * Double(counts.2))))
    }

    private func key(_ i: Int, _ j: Int, _ k: Int) -> Int {
        let a = (i % counts.0 + counts.0) % counts.0, b = (j % counts.1 + counts.1) % counts.1
        let c = (k % counts.2 + counts.2) % counts.2
        return (a * counts.1 + b) * counts.2 + c
    }

    /// Adds the next point (its index: the number added before it) at wrapped fractional `f`.
    public mutating func insert(_ f: Vec3) {
        let (i, j, k) = bin(f)
        let b = key(i, j, k), index = Int32(next.count)
        next.append(-1)
        if tail[b] >= 0 { next[Int(tail[b])] = index } else { head[b] = index }
        tail[b] = index
    }

    /// Calls `body` with every point in the bins around wrapped fractional `f` (bin by bin,
    /// in insertion order within a bin) until it returns false.
    public func forEach(near f: Vec3, _ body: (Int) -> Bool) {
        let (bi, bj, bk) = bin(f)
        for di in reach.0 { for dj in reach.1 { for dk in reach.2 {
            var m = Int(head[key(bi + di, bj + dj, bk + dk)])
            while m >= 0 {
                if !body(m) { return }
                m = Int(next[m])
            }
        }}}
    }
}
