import X3Core

/// The per-edge rotation of eSCN convolutions: R(r̂) takes the edge direction r̂ to the
/// reference axis +z, where Y_{l,m}(ẑ) = 0 for m ≠ 0, so in the rotated frame an edge
/// only mixes coefficients of equal |m|.
///
/// The roll about the axis is fixed deterministically (the reference code draws it at
/// random): the rotated frame's x axis is the Gram–Schmidt projection of the coordinate
/// axis least aligned with r̂ (first of x, y, z on ties). Any roll gives the same network
/// output, because SO(2) convolutions commute with rolls about z; a fixed one makes
/// results reproducible.
public enum EdgeFrame {
    /// Rows (e₁, e₂, e₃) with e₃ = r̂: R r̂ = ẑ. `r` must not be zero.
    public static func rotation(_ r: Vec3) -> Rotation {
        let e3 = r / norm(r)
        let a = Vec3(abs(e3.x), abs(e3.y), abs(e3.z))
        let helper: Vec3 = a.x <= a.y && a.x <= a.z ? Vec3(1, 0, 0) : (a.y <= a.z ? Vec3(0, 1, 0) : Vec3(0, 0, 1))
        var e1 = helper - dot(helper, e3) * e3
        e1 /= norm(e1)
        let e2 = cross(e3, e1)
        return Rotation(rowMajor: [e1.x, e1.y, e1.z, e2.x, e2.y, e2.z, e3.x, e3.y, e3.z])
    }
}

/// Coefficient orders. "l-major" is the `SphericalHarmonics` layout, index l² + l + m.
/// "m-major" groups coefficients by order for SO(2) convolutions, keeping |m| ≤ mmax:
/// first m = 0 for l = 0…lmax, then for each m = 1…mmax the +m coefficients (l = m…lmax)
/// followed by the −m ones (l = m…lmax).
public struct CoefficientLayout: Sendable, Equatable {
    public let lmax: Int, mmax: Int
    /// mMajor[k] = the l-major index of m-major position k.
    public let mMajor: [Int]

    public init(lmax: Int, mmax: Int) {
        precondition(lmax >= 0 && mmax >= 0 && mmax <= lmax)
        self.lmax = lmax
        self.mmax = mmax
        var order = (0...lmax).map { SphericalHarmonics.index($0, 0) }
        if mmax >= 1 {
            for m in 1...mmax {
                order += (m...lmax).map { SphericalHarmonics.index($0, m) }
                order += (m...lmax).map { SphericalHarmonics.index($0, -m) }
            }
        }
        mMajor = order
    }

    /// Length of the truncated m-major vector.
    public var count: Int { mMajor.count }
    /// Length of the full l-major vector.
    public var fullCount: Int { SphericalHarmonics.count(lmax) }

    /// Number of degrees carrying order m (and −m): lmax − m + 1.
    public func degrees(ofOrder m: Int) -> Int { lmax - m + 1 }

    /// Start of the block of order m (m ≥ 0: +m block; the −m block follows it).
    public func offset(ofOrder m: Int) -> Int {
        if m == 0 { return 0 }
        var o = lmax + 1
        for k in 1..<m { o += 2 * degrees(ofOrder: k) }
        return o
    }

    /// The m-major position of (l, m), |m| ≤ mmax.
    @inline(__always) public func position(_ l: Int, _ m: Int) -> Int {
        if m == 0 { return l }
        let o = offset(ofOrder: abs(m)) + (l - abs(m))
        return m > 0 ? o : o + degrees(ofOrder: abs(m))
    }

    /// l-major → m-major (dropping |m| > mmax).
    public func toMMajor(_ x: [Double]) -> [Double] { mMajor.map { x[$0] } }

    /// m-major → l-major (zeros where |m| > mmax).
    public func toLMajor(_ y: [Double]) -> [Double] {
        var x = [Double](repeating: 0, count: fullCount)
        for (k, i) in mMajor.enumerated() { x[i] = y[k] }
        return x
    }
}
