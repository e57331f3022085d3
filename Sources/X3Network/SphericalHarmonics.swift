import X3Core

/// Real spherical harmonics — the one layout and normalisation used everywhere in the
/// network.
///
/// Conventions (stated once):
/// - Degree l = 0…lmax, order m = −l…l; coefficient (l, m) sits at index l² + l + m
///   ("l-major"), so a feature of degree ≤ lmax has (lmax + 1)² components.
/// - z is the polar axis. Y_{l,0} ∝ P_l(z); for m > 0, Y_{l,m} ∝ P_l^m(cos θ) cos(mφ) and
///   Y_{l,−m} ∝ P_l^m(cos θ) sin(mφ), with positive coefficients: Y_{1,−1}, Y_{1,0}, Y_{1,1}
///   are proportional to y, z, x. In terms of the complex harmonics with the
///   Condon–Shortley phase (SciPy's `sph_harm_y`): Y_{l,m} = √2 (−1)^m Re Y_l^m for m > 0,
///   Y_{l,0} = Y_l^0, Y_{l,−m} = √2 (−1)^m Im Y_l^m.
/// - "Component" normalisation: Σ_m Y_{l,m}(r̂)² = 2l + 1 for every unit vector r̂, i.e.
///   √(4π) × the orthonormal harmonics.
public enum SphericalHarmonics {
    public static let maxDegree = 8

    /// Number of coefficients of degrees 0…lmax.
    @inlinable public static func count(_ lmax: Int) -> Int { (lmax + 1) * (lmax + 1) }
    @inlinable public static func index(_ l: Int, _ m: Int) -> Int { l * l + l + m }

    /// √((2l+1) (l−m)!/(l+m)!) for 0 ≤ m ≤ l ≤ maxDegree: the component normalisation.
    static let norms: [[Double]] = (0...maxDegree).map { l in
        (0...l).map { m in
            var ratio = 1.0  // (l−m)!/(l+m)!
            if m > 0 { for k in (l - m + 1)...(l + m) { ratio /= Double(k) } }
            return (Double(2 * l + 1) * ratio).squareRoot()
        }
    }

    /// Y_{l,m}(r̂) for l ≤ lmax into `out` (count(lmax) values, l-major). `r` need not be
    /// normalised; it must not be zero.
    public static func evaluate(_ r: Vec3, lmax: Int, into out: UnsafeMutablePointer<Double>) {
        precondition(lmax >= 0 && lmax <= maxDegree, "lmax must be 0...\(maxDegree)")
        let u = r / norm(r)
        let x = u.x, y = u.y, z = u.z
        // C_m + i S_m = (x + i y)^m = sin^m θ e^{imφ}
        var c = [Double](repeating: 0, count: lmax + 1), s = c
        c[0] = 1
        for m in stride(from: 1, through: lmax, by: 1) {
            c[m] = c[m - 1] * x - s[m - 1] * y
            s[m] = s[m - 1] * x + c[m - 1] * y
        }
        // Q_l^m(z) = P_l^m(z) / sin^m θ without the Condon–Shortley phase (which the real
        // harmonics' (−1)^m cancels): Q_m^m = (2m−1)!!, Q_{m+1}^m = (2m+1) z Q_m^m,
        // (l−m) Q_l^m = (2l−1) z Q_{l−1}^m − (l+m−1) Q_{l−2}^m.
        let sqrt2 = 2.0.squareRoot()
        for m in 0...lmax {
            var qmm = 1.0
            if m > 0 { for k in 1...m { qmm *= Double(2 * k - 1) } }
            var q2 = 0.0, q1 = qmm  // Q_{l−2}, Q_{l−1}
            for l in m...lmax {
                let q: Double
                if l == m { q = qmm } else if l == m + 1 { q = Double(2 * m + 1) * z * qmm } else {
                    q = (Double(2 * l - 1) * z * q1 - Double(l + m - 1) * q2) / Double(l - m)
                }
                if l > m { q2 = q1; q1 = q } else { q1 = q }
                let n = norms[l][m] * q
                if m == 0 {
                    out[index(l, 0)] = n
                } else {
                    out[index(l, m)] = sqrt2 * n * c[m]
                    out[index(l, -m)] = sqrt2 * n * s[m]
                }
            }
        }
    }

    /// Y(r̂) as an array (l-major, count(lmax) values).
    public static func evaluate(_ r: Vec3, lmax: Int) -> [Double] {
        [Double](unsafeUninitializedCapacity: count(lmax)) { buf, n in
            evaluate(r, lmax: lmax, into: buf.baseAddress!)
            n = count(lmax)
        }
    }
}
