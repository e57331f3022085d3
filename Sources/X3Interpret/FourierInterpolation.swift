#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Periodic trigonometric interpolation of samples on a uniform grid.
///
/// For n samples vₘ at xₘ = m/n (one period = 1), the interpolant is the real
/// trigonometric polynomial of lowest degree through them:
///
///   f(x) = c₀ + 2 Σ_{k=1}^{K} Re(cₖ e^{2πikx}) + [n even] c_{n/2} cos(πnx),
///   cₖ = (1/n) Σₘ vₘ e^{−2πikm/n},  K = ⌈n/2⌉ − 1,
///
/// which as weights on the samples reads
///
///   f(x) = (1/n) Σₘ vₘ [1 + 2 Σ_{k=1}^{K} cos 2πk(x − xₘ) + [n even] (−1)ᵐ cos πnx].
///
/// Sampled on M ≥ n uniform points it keeps the mean (every k ≠ 0 term sums to zero over
/// the fine grid because 0 < k ≤ n/2 < M, or n = M), and when M is a multiple of n it
/// passes through the samples.
enum FourierInterpolation {
    /// The M × n weights W with f(j/M) = Σₘ W[j·n + m] vₘ.
    static func weights(from n: Int, to M: Int) -> [Double] {
        let K = (n + 1) / 2 - 1
        var w = [Double](repeating: 0, count: M * n)
        for j in 0..<M {
            let x = Double(j) / Double(M)
            let nyquist = n % 2 == 0 ? cos(Double.pi * Double(n) * x) : 0
            for m in 0..<n {
                let d = x - Double(m) / Double(n)
                var s = 1.0
                for k in stride(from: 1, through: K, by: 1) { s += 2 * cos(2 * Double.pi * Double(k) * d) }
                if n % 2 == 0 { s += (m % 2 == 0 ? 1 : -1) * nyquist }
                w[j * n + m] = s / Double(n)
            }
        }
        return w
    }

    /// Resamples a C-ordered 3-D array (`shape`) along `axis` onto `M` points.
    static func resample(_ v: [Double], shape: [Int], axis: Int, to M: Int) -> [Double] {
        let n = shape[axis]
        let w = weights(from: n, to: M)
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        var out = [Double](repeating: 0, count: outer * M * inner)
        for o in 0..<outer {
            for j in 0..<M {
                let dst = (o * M + j) * inner
                for m in 0..<n {
                    let c = w[j * n + m], src = (o * n + m) * inner
                    for i in 0..<inner { out[dst + i] += c * v[src + i] }
                }
            }
        }
        return out
    }
}
