import X3Core
#if canImport(Glibc)
import Glibc
#endif

/// The separable S2 activation of EquiformerV2: the l = 0 channels go through SiLU
/// directly; the l > 0 coefficients are read as a function on the sphere, sampled on a
/// grid, passed through SiLU point by point and projected back onto the harmonics.
///
/// Grid: `resolution` Gauss–Legendre nodes in cos θ times 2·`resolution` equally spaced
/// φ. Projection: c_lm = (1/4π) Σ_g w_g f(g) Y_lm(g) (component normalisation), exact for
/// band-limited functions up to degree 2·resolution − 1. A pointwise nonlinearity is not
/// band-limited, so the activation is equivariant only up to the grid's resolution; the
/// error falls as the resolution grows (see the model tests and BENCHMARKS.md).
///
/// Rows may be any subset of the l-major coefficients (`rowIndices[r]` = l² + l + m),
/// e.g. the m-major |m| ≤ mmax edge layout; row 0 must be (0, 0).
public struct S2Activation: Sendable, Equatable {
    public let rowIndices: [Int]
    public let channels: Int, resolution: Int
    let grid: Int
    let toGrid: [Double]    // [grid, rows]
    let fromGrid: [Double]  // [rows, grid]

    public init(rowIndices: [Int], channels: Int, resolution: Int) {
        precondition(rowIndices.first == 0 && resolution >= 2)
        self.rowIndices = rowIndices
        self.channels = channels
        self.resolution = resolution
        let lmax = Int(Double(rowIndices.max()!).squareRoot())
        let (nodes, weights) = S2Activation.gaussLegendre(resolution)
        let nphi = 2 * resolution
        grid = resolution * nphi
        let R = rowIndices.count
        var tg = [Double](repeating: 0, count: grid * R), fg = [Double](repeating: 0, count: R * grid)
        var g = 0
        for (t, z) in nodes.enumerated() {
            let s = (1 - z * z).squareRoot()
            for k in 0..<nphi {
                let phi = 2 * Double.pi * Double(k) / Double(nphi)
                let y = SphericalHarmonics.evaluate(Vec3(s * cos(phi), s * sin(phi), z), lmax: lmax)
                let w = weights[t] * 2 * Double.pi / Double(nphi) / (4 * Double.pi)
                for (r, i) in rowIndices.enumerated() {
                    tg[g * R + r] = y[i]
                    fg[r * grid + g] = w * y[i]
                }
                g += 1
            }
        }
        toGrid = tg
        fromGrid = fg
    }

    /// For l-major features of degree ≤ lmax.
    public init(lmax: Int, channels: Int, resolution: Int) {
        self.init(rowIndices: Array(0..<SphericalHarmonics.count(lmax)), channels: channels, resolution: resolution)
    }

    /// For m-major edge features of a layout.
    public init(layout: CoefficientLayout, channels: Int, resolution: Int) {
        self.init(rowIndices: layout.mMajor, channels: channels, resolution: resolution)
    }

    /// Gauss–Legendre nodes and weights on [−1, 1] (Newton on P_n, weights 2/((1−x²)P_n'²)).
    static func gaussLegendre(_ n: Int) -> ([Double], [Double]) {
        var x = [Double](repeating: 0, count: n), w = x
        for i in 0..<n {
            var z = cos(Double.pi * (Double(i) + 0.75) / (Double(n) + 0.5))
            var dp = 0.0
            for _ in 0..<100 {
                var p0 = 1.0, p1 = z
                for k in 2...max(2, n) where n >= 2 {
                    let p2 = ((2 * Double(k) - 1) * z * p1 - (Double(k) - 1) * p0) / Double(k)
                    p0 = p1; p1 = p2
                }
                let pn = n == 1 ? z : p1, pn1 = n == 1 ? 1 : p0
                dp = Double(n) * (z * pn - pn1) / (z * z - 1)
                let dz = pn / dp
                z -= dz
                if abs(dz) < 1e-15 { break }
            }
            x[i] = z
            w[i] = 2 / ((1 - z * z) * dp * dp)
        }
        return (x, w)
    }

    public func forward<T: NetworkScalar>(_ x: UnsafePointer<T>, rows: Int, into y: UnsafeMutablePointer<T>) {
        let R = rowIndices.count, c = channels
        let tg = Buffer<T>(toGrid.map { T($0) }), fg = Buffer<T>(fromGrid.map { T($0) })
        let f = Buffer<T>(grid * c), s = Buffer<T>(grid * c), back = Buffer<T>(R * c)
        for r in 0..<rows {
            let xr = x + r * R * c, yr = y + r * R * c
            T.gemm(transA: false, transB: false, m: grid, n: c, k: R, alpha: 1, a: tg.p, lda: R, b: xr, ldb: c,
                   beta: 0, c: f.p, ldc: c)
            SiLU.forward(f.p, count: f.count, into: s.p)
            T.gemm(transA: false, transB: false, m: R, n: c, k: grid, alpha: 1, a: fg.p, lda: grid, b: s.p, ldb: c,
                   beta: 0, c: back.p, ldc: c)
            for j in 0..<c { yr[j] = xr[j] * SiLU.sigmoid(xr[j]) }
            for q in c..<(R * c) { yr[q] = back[q] }
        }
    }

    public func backward<T: NetworkScalar>(_ x: UnsafePointer<T>, _ dy: UnsafePointer<T>, rows: Int,
                                           dx: UnsafeMutablePointer<T>) {
        let R = rowIndices.count, c = channels
        let tg = Buffer<T>(toGrid.map { T($0) }), fg = Buffer<T>(fromGrid.map { T($0) })
        let f = Buffer<T>(grid * c), ds = Buffer<T>(grid * c), df = Buffer<T>(grid * c), dyl = Buffer<T>(R * c)
        for r in 0..<rows {
            let xr = x + r * R * c, gr = dy + r * R * c, dxr = dx + r * R * c
            T.gemm(transA: false, transB: false, m: grid, n: c, k: R, alpha: 1, a: tg.p, lda: R, b: xr, ldb: c,
                   beta: 0, c: f.p, ldc: c)
            // only rows ≥ 1 of the projection reach the output
            for q in 0..<c { dyl[q] = 0 }
            for q in c..<(R * c) { dyl[q] = gr[q] }
            T.gemm(transA: true, transB: false, m: grid, n: c, k: R, alpha: 1, a: fg.p, lda: grid, b: dyl.p, ldb: c,
                   beta: 0, c: ds.p, ldc: c)
            SiLU.backward(f.p, ds.p, count: f.count, dx: df.p)
            T.gemm(transA: true, transB: false, m: R, n: c, k: grid, alpha: 1, a: tg.p, lda: R, b: df.p, ldb: c,
                   beta: 0, c: dxr, ldc: c)
            for j in 0..<c {
                let s = SiLU.sigmoid(xr[j])
                dxr[j] += gr[j] * s * (1 + xr[j] * (1 - s))
            }
        }
    }
}

/// The network's activation on equivariant features: the gate (parameters, exactly
/// equivariant) or the separable S2-grid activation (no parameters, equivariant up to the
/// grid resolution).
public enum ActivationLayer: Sendable, Equatable {
    case gate(GateActivation)
    case s2(S2Activation)

    public func forward<T: NetworkScalar>(_ x: UnsafePointer<T>, rows: Int, params: UnsafePointer<T>,
                                          into y: UnsafeMutablePointer<T>) {
        switch self {
        case let .gate(g): g.forward(x, rows: rows, params: params, into: y)
        case let .s2(s): s.forward(x, rows: rows, into: y)
        }
    }

    public func backward<T: NetworkScalar>(_ x: UnsafePointer<T>, _ dy: UnsafePointer<T>, rows: Int,
                                           params: UnsafePointer<T>, grad: UnsafeMutablePointer<T>,
                                           dx: UnsafeMutablePointer<T>) {
        switch self {
        case let .gate(g): g.backward(x, dy, rows: rows, params: params, grad: grad, dx: dx)
        case let .s2(s): s.backward(x, dy, rows: rows, dx: dx)
        }
    }
}
