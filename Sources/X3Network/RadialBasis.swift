#if canImport(Glibc)
import Glibc
#endif

/// Gaussian radial basis of an edge length with a smooth cutoff envelope:
/// φ_k(d) = u(d/r_c) · exp(−(d − μ_k)² / (2σ²)), μ_k = k·r_c/(K − 1) for k = 0…K−1,
/// σ = r_c/(K − 1), and u the polynomial envelope of DimeNet (p = 5),
/// u(x) = 1 − 21x⁵ + 35x⁶ − 15x⁷ for x < 1, else 0, which goes to zero with its first two
/// derivatives at the cutoff, so edges entering or leaving the cutoff change nothing abruptly.
public struct RadialBasis: Sendable, Equatable {
    public let count: Int
    public let cutoff: Double

    public init(count: Int, cutoff: Double) {
        precondition(count >= 2 && cutoff > 0)
        self.count = count
        self.cutoff = cutoff
    }

    public static func envelope(_ x: Double) -> Double {
        if x >= 1 { return 0 }
        let x5 = x * x * x * x * x
        return 1 - 21 * x5 + 35 * x5 * x - 15 * x5 * x * x
    }

    /// φ(d) for every edge length into out[e·count + k].
    public func evaluate<T: NetworkScalar>(_ lengths: [Double], into out: UnsafeMutablePointer<T>) {
        let sigma = cutoff / Double(count - 1)
        let g = 1 / (2 * sigma * sigma)
        for (e, d) in lengths.enumerated() {
            let u = RadialBasis.envelope(d / cutoff)
            for k in 0..<count {
                let mu = Double(k) * sigma
                out[e * count + k] = T(u * exp(-g * (d - mu) * (d - mu)))
            }
        }
    }
}
