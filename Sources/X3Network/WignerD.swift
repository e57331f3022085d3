import X3Core

/// A 3×3 rotation matrix, row-major: R[i][j] = `m[3 i + j]`; it acts on column vectors,
/// r' = R r.
public struct Rotation: Sendable, Equatable {
    public var m: [Double]
    public init(rowMajor m: [Double]) { precondition(m.count == 9); self.m = m }
    public static let identity = Rotation(rowMajor: [1, 0, 0, 0, 1, 0, 0, 0, 1])

    public func apply(_ v: Vec3) -> Vec3 {
        Vec3(m[0] * v.x + m[1] * v.y + m[2] * v.z, m[3] * v.x + m[4] * v.y + m[5] * v.z,
             m[6] * v.x + m[7] * v.y + m[8] * v.z)
    }

    /// self · other (apply other first).
    public func times(_ o: Rotation) -> Rotation {
        var r = [Double](repeating: 0, count: 9)
        for i in 0..<3 { for j in 0..<3 { for k in 0..<3 { r[3 * i + j] += m[3 * i + k] * o.m[3 * k + j] } } }
        return Rotation(rowMajor: r)
    }

    public var transposed: Rotation {
        Rotation(rowMajor: [m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]])
    }

    /// The rotation of a unit quaternion (w, x, y, z) (normalised here).
    public init(quaternion q: SIMD4<Double>) {
        let n = (q * q).sum().squareRoot()
        let w = q[0] / n, x = q[1] / n, y = q[2] / n, z = q[3] / n
        m = [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
             2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
             2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]
    }
}

/// Wigner-D matrices of the real spherical harmonics (`SphericalHarmonics` layout):
/// D^l(R) is the (2l+1)×(2l+1) orthogonal matrix with Y_l(R r̂) = D^l(R) Y_l(r̂), rows and
/// columns ordered m = −l…l. Built by the recursion of Ivanic & Ruedenberg (J. Phys. Chem.
/// 100, 6342 (1996); erratum 102, 9099 (1998)) from D¹ = P R Pᵀ, P the permutation
/// (x, y, z) → (y, z, x) of the l = 1 harmonics. Stable and exact up to rounding for every
/// l ≤ `SphericalHarmonics.maxDegree` (tested to 1e-12).
public enum WignerD {
    /// D^0 … D^lmax, each row-major (2l+1)², concatenated: block l starts at
    /// Σ_{k<l} (2k+1)² and entry (m, m') of block l is at start + (m+l)(2l+1) + (m'+l).
    public static func matrices(_ r: Rotation, lmax: Int) -> [Double] {
        precondition(lmax >= 0 && lmax <= SphericalHarmonics.maxDegree)
        var out = [Double](repeating: 0, count: blockStart(lmax + 1))
        out.withUnsafeMutableBufferPointer { fill($0.baseAddress!, r, lmax: lmax) }
        return out
    }

    /// `matrices` into `out` (blockStart(lmax + 1) values, zero on entry).
    static func fill(_ out: UnsafeMutablePointer<Double>, _ r: Rotation, lmax: Int) {
        out[0] = 1
        if lmax == 0 { return }
        // D¹ in the (y, z, x) order: D1[i][j] = R[p(i)][p(j)] with p = (1, 2, 0).
        let p = (1, 2, 0)
        func perm(_ i: Int) -> Int { i == 0 ? p.0 : i == 1 ? p.1 : p.2 }
        for i in 0..<3 { for j in 0..<3 { out[1 + 3 * i + j] = r.m[3 * perm(i) + perm(j)] } }
        let d1 = out + 1
        @inline(__always) func r1(_ i: Int, _ j: Int) -> Double { d1[3 * (i + 1) + (j + 1)] }
        for l in stride(from: 2, through: lmax, by: 1) {
            let prev = out + blockStart(l - 1), dim1 = 2 * l - 1, cur = out + blockStart(l), dim = 2 * l + 1
            @inline(__always) func dp(_ a: Int, _ b: Int) -> Double { prev[(a + l - 1) * dim1 + (b + l - 1)] }
            // P(i, a, b) of the recursion, from D^{l−1} and D¹.
            @inline(__always) func pf(_ i: Int, _ a: Int, _ b: Int) -> Double {
                if b == l { return r1(i, 1) * dp(a, l - 1) - r1(i, -1) * dp(a, -l + 1) }
                if b == -l { return r1(i, 1) * dp(a, -l + 1) + r1(i, -1) * dp(a, l - 1) }
                return r1(i, 0) * dp(a, b)
            }
            coefficients[l].withUnsafeBufferPointer { uvw in
                for m in -l...l {
                    for n in -l...l {
                        let (u, v, w) = uvw[(m + l) * dim + (n + l)]
                        var value = 0.0
                        if u != 0 { value += u * pf(0, m, n) }
                        if v != 0 {
                            let vv: Double
                            if m == 0 {
                                vv = pf(1, 1, n) + pf(-1, -1, n)
                            } else if m > 0 {
                                let d1m = m == 1 ? 1.0 : 0.0
                                vv = pf(1, m - 1, n) * (1 + d1m).squareRoot() - pf(-1, -m + 1, n) * (1 - d1m)
                            } else {
                                let d1m = m == -1 ? 1.0 : 0.0
                                vv = pf(1, m + 1, n) * (1 - d1m) + pf(-1, -m - 1, n) * (1 + d1m).squareRoot()
                            }
                            value += v * vv
                        }
                        if w != 0 {
                            let ww = m > 0 ? pf(1, m + 1, n) + pf(-1, -m - 1, n) : pf(1, m - 1, n) - pf(-1, -m + 1, n)
                            value += w * ww
                        }
                        cur[(m + l) * dim + (n + l)] = value
                    }
                }
            }
        }
    }

    /// The recursion's coefficients u, v, w of each degree l ≥ 2, entry (m, n) at
    /// (m + l)(2l + 1) + (n + l); they do not depend on the rotation.
    static let coefficients: [[(Double, Double, Double)]] = (0...SphericalHarmonics.maxDegree).map { l in
        guard l >= 2 else { return [] }
        return (-l...l).flatMap { m in
            (-l...l).map { n -> (Double, Double, Double) in
                let d0 = m == 0 ? 1.0 : 0.0
                let denom = abs(n) < l ? Double((l + n) * (l - n)) : Double(2 * l * (2 * l - 1))
                let am = abs(m)
                let u = (Double((l + m) * (l - m)) / denom).squareRoot()
                let v = 0.5 * ((1 + d0) * Double((l + am - 1) * (l + am)) / denom).squareRoot() * (1 - 2 * d0)
                let w = -0.5 * (Double((l - am - 1) * (l - am)) / denom).squareRoot() * (1 - d0)
                return (u, v, w)
            }
        }
    }

    /// Σ_{k<l} (2k+1)²: where block l starts.
    @inlinable public static func blockStart(_ l: Int) -> Int { l * (4 * l * l - 1) / 3 }
}
