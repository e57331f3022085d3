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
///
/// In Float the activation runs as one fused kernel per row (`S2SeparablePlan`: the grid
/// factored into latitudes and longitudes, grid values never leave registers); in Double,
/// and for grids too large for that kernel, as GEMMs on panels of rows.
public struct S2Activation: Sendable, Equatable {
    public let rowIndices: [Int]
    public let channels: Int, resolution: Int
    /// Grid points.
    public let grid: Int
    /// The coefficients' values at the grid points, [grid, rows]: f(g) = Σ_r toGrid[g, r] x_r.
    public let toGrid: [Double]
    /// The quadrature projection back, [rows, grid]: x_r = Σ_g fromGrid[r, g] f(g).
    public let fromGrid: [Double]
    /// The factored grid of the fused Float kernel; nil when it does not apply.
    public let separable: S2SeparablePlan?

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
        separable = S2SeparablePlan(rowIndices: rowIndices, resolution: resolution, toGrid: tg, fromGrid: fg)
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

    /// Rows go through the grid a panel at a time: up to `panelColumns` / channels rows
    /// are laid side by side as one [coefficients, rows × channels] matrix, so that each
    /// projection is one GEMM instead of one small GEMM per row.
    static let panelColumns = 2048

    /// x [rows, R, c] → panel [R, k·c] for rows start..<start+k (and back with `scatter`).
    @inline(__always)
    static func gather<T>(_ x: UnsafePointer<T>, start: Int, k: Int, R: Int, c: Int, into panel: UnsafeMutablePointer<T>) {
        let n = k * c
        for rr in 0..<k {
            let src = x + (start + rr) * R * c
            for i in 0..<R { (panel + i * n + rr * c).update(from: src + i * c, count: c) }
        }
    }

    /// panel rows `from`..<R back into y [rows, R, c] for rows start..<start+k.
    @inline(__always)
    static func scatter<T>(_ panel: UnsafePointer<T>, from: Int, start: Int, k: Int, R: Int, c: Int,
                           into y: UnsafeMutablePointer<T>) {
        let n = k * c
        for rr in 0..<k {
            let dst = y + (start + rr) * R * c
            for i in from..<R { (dst + i * c).update(from: panel + i * n + rr * c, count: c) }
        }
    }

    /// y = the activation of `rows` feature rows x [rows, coefficients, channels]; y may be x.
    public func forward<T: NetworkScalar>(_ x: UnsafePointer<T>, rows: Int, into y: UnsafeMutablePointer<T>) {
        if let plan = separable, T.s2Fused(plan, x, nil, rows: rows, channels: channels, into: y) {
            if GEMMStats.enabled { GEMMStats.recordKernel(flops: plan.flops(rows: rows, channels: channels, backward: false)) }
            return
        }
        forwardOnPanels(x, rows: rows, into: y)
    }

    /// `forward` as GEMMs with the grid matrices on panels of rows (Double's path, and
    /// Float's when the grid has no plan).
    public func forwardOnPanels<T: NetworkScalar>(_ x: UnsafePointer<T>, rows: Int, into y: UnsafeMutablePointer<T>) {
        let R = rowIndices.count, c = channels
        let chunk = max(1, min(rows, S2Activation.panelColumns / c))
        let tg = Buffer<T>(toGrid.map { T($0) }), fg = Buffer<T>(fromGrid.map { T($0) })
        let panel = Buffer<T>(R * chunk * c), f = Buffer<T>(grid * chunk * c), back = Buffer<T>(R * chunk * c)
        for start in stride(from: 0, to: rows, by: chunk) {
            let k = min(chunk, rows - start), n = k * c
            S2Activation.gather(x, start: start, k: k, R: R, c: c, into: panel.p)
            T.gemm(transA: false, transB: false, m: grid, n: n, k: R, alpha: 1, a: tg.p, lda: R, b: panel.p, ldb: n,
                   beta: 0, c: f.p, ldc: n)
            SiLU.forward(f.p, count: grid * n, into: f.p)
            T.gemm(transA: false, transB: false, m: R, n: n, k: grid, alpha: 1, a: fg.p, lda: grid, b: f.p, ldb: n,
                   beta: 0, c: back.p, ldc: n)
            S2Activation.scatter(back.p, from: 1, start: start, k: k, R: R, c: c, into: y)
        }
        // the l = 0 channels: SiLU directly
        for r in 0..<rows { SiLU.forward(x + r * R * c, count: c, into: y + r * R * c) }
    }

    /// dx = the input gradient for output gradient dy; dx may be x or dy.
    public func backward<T: NetworkScalar>(_ x: UnsafePointer<T>, _ dy: UnsafePointer<T>, rows: Int,
                                           dx: UnsafeMutablePointer<T>) {
        if let plan = separable, T.s2Fused(plan, x, dy, rows: rows, channels: channels, into: dx) {
            if GEMMStats.enabled { GEMMStats.recordKernel(flops: plan.flops(rows: rows, channels: channels, backward: true)) }
            return
        }
        backwardOnPanels(x, dy, rows: rows, dx: dx)
    }

    /// `backward` as GEMMs on panels of rows, as `forwardOnPanels`.
    public func backwardOnPanels<T: NetworkScalar>(_ x: UnsafePointer<T>, _ dy: UnsafePointer<T>, rows: Int,
                                                   dx: UnsafeMutablePointer<T>) {
        let R = rowIndices.count, c = channels
        let chunk = max(1, min(rows, S2Activation.panelColumns / c))
        let tg = Buffer<T>(toGrid.map { T($0) }), fg = Buffer<T>(fromGrid.map { T($0) })
        let panel = Buffer<T>(R * chunk * c), f = Buffer<T>(grid * chunk * c), ds = Buffer<T>(grid * chunk * c)
        for start in stride(from: 0, to: rows, by: chunk) {
            let k = min(chunk, rows - start), n = k * c
            S2Activation.gather(x, start: start, k: k, R: R, c: c, into: panel.p)
            T.gemm(transA: false, transB: false, m: grid, n: n, k: R, alpha: 1, a: tg.p, lda: R, b: panel.p, ldb: n,
                   beta: 0, c: f.p, ldc: n)
            // only rows ≥ 1 of the projection reach the output
            S2Activation.gather(dy, start: start, k: k, R: R, c: c, into: panel.p)
            panel.p.update(repeating: 0, count: n)
            T.gemm(transA: true, transB: false, m: grid, n: n, k: R, alpha: 1, a: fg.p, lda: grid, b: panel.p, ldb: n,
                   beta: 0, c: ds.p, ldc: n)
            SiLU.backward(f.p, ds.p, count: grid * n, dx: ds.p)
            T.gemm(transA: true, transB: false, m: R, n: n, k: grid, alpha: 1, a: tg.p, lda: R, b: ds.p, ldb: n,
                   beta: 0, c: panel.p, ldc: n)
            S2Activation.scatter(panel.p, from: 0, start: start, k: k, R: R, c: c, into: dx)
        }
        // the l = 0 channels: SiLU's derivative added
        let dl0 = Buffer<T>(c)
        for r in 0..<rows {
            SiLU.backward(x + r * R * c, dy + r * R * c, count: c, dx: dl0.p)
            for j in 0..<c { dx[r * R * c + j] += dl0[j] }
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
