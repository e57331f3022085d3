/// SplitMix64 (Steele, Lea & Flood 2014): a small, fast, seedable generator. Used where
/// results must be reproducible from a seed (model initialisation, splits, tests).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}

extension SplitMix64 {
    /// `k` distinct indices out of 0..<n, uniformly (all when k is 0 or ≥ n), ascending:
    /// the first k steps of a Fisher–Yates shuffle.
    public mutating func choose(_ k: Int, of n: Int) -> [Int] {
        if k == 0 || k >= n { return Array(0..<n) }
        var idx = Array(0..<n)
        for i in 0..<k { idx.swapAt(i, i + Int(next() % UInt64(n - i))) }
        return idx[..<k].sorted()
    }
}
