import CX3Support

/// Layers on equivariant node features.
///
/// Feature layout: `[rows, K, C]` row-major, K = (lmax + 1)² coefficients in the l-major
/// layout of `SphericalHarmonics`, C channels fastest. Each (l, ·, c) block transforms
/// as Y_l under rotations (x ↦ D^l(R) x) and with parity (−1)^l under inversion.

/// Per-degree linear map: y_{l m ·} = x_{l m ·} W_l (+ b on l = 0). Rotation-equivariant
/// because the same W_l multiplies every m of degree l.
public struct SO3Linear: Sendable, Equatable {
    public let lmax: Int, inputs: Int, outputs: Int
    public let weights: [Int]  // offsets of W_0 … W_lmax, each [inputs, outputs]
    public let bias: Int

    public init<T: NetworkScalar>(_ name: String, lmax: Int, inputs: Int, outputs: Int,
                                  params: inout ParameterStore<T>, rng: inout some RandomNumberGenerator) {
        self.lmax = lmax
        self.inputs = inputs
        self.outputs = outputs
        let bound = (3.0 / Double(inputs)).squareRoot()
        weights = (0...lmax).map { l in
            params.addUniform("\(name).weight\(l)", shape: [inputs, outputs], bound: bound, rng: &rng)
        }
        bias = params.add("\(name).bias", shape: [outputs]) { _ in 0 }
    }

    var k: Int { (lmax + 1) * (lmax + 1) }

    public func forward<T: NetworkScalar>(_ x: UnsafePointer<T>, rows: Int, params: UnsafePointer<T>,
                                          into y: UnsafeMutablePointer<T>) {
        let k = self.k
        for r in 0..<rows { (y + r * k * outputs).update(from: params + bias, count: outputs) }
        for l in 0...lmax {
            for i in (l * l)..<((l + 1) * (l + 1)) {
                T.gemm(transA: false, transB: false, m: rows, n: outputs, k: inputs, alpha: 1,
                       a: x + i * inputs, lda: k * inputs, b: params + weights[l], ldb: outputs,
                       beta: l == 0 ? 1 : 0, c: y + i * outputs, ldc: k * outputs)
            }
        }
    }

    public func backward<T: NetworkScalar>(_ x: UnsafePointer<T>, _ dy: UnsafePointer<T>, rows: Int,
                                           params: UnsafePointer<T>, grad: UnsafeMutablePointer<T>,
                                           dx: UnsafeMutablePointer<T>?) {
        let k = self.k
        T.sumRows(dy, rows: rows, columns: outputs, stride: k * outputs, into: grad + bias)
        for l in 0...lmax {
            for i in (l * l)..<((l + 1) * (l + 1)) {
                T.gemm(transA: true, transB: false, m: inputs, n: outputs, k: rows, alpha: 1,
                       a: x + i * inputs, lda: k * inputs, b: dy + i * outputs, ldb: k * outputs,
                       beta: 1, c: grad + weights[l], ldc: outputs)
                if let dx {
                    T.gemm(transA: false, transB: true, m: rows, n: inputs, k: outputs, alpha: 1,
                           a: dy + i * outputs, lda: k * outputs, b: params + weights[l], ldb: outputs,
                           beta: 0, c: dx + i * inputs, ldc: k * inputs)
                }
            }
        }
    }
}

/// Equivariant RMS layer norm (EquiformerV2's norm for spherical-harmonic features):
/// the l = 0 channels are centred, then every coefficient is divided by
/// √(s + ε) with s = (1/(lmax+1)) Σ_l (1/((2l+1) C)) Σ_{m,c} x²_{lmc} — each degree weighs
/// the same — and scaled by a gain per (l, c); a bias is added on l = 0. s is invariant
/// (Σ_m x²_{lm} is), so the layer is equivariant.
public struct EquivariantRMSNorm: Sendable, Equatable {
    public let lmax: Int, channels: Int
    public let gain: Int, bias: Int  // gain [lmax+1, C], bias [C]
    public static let epsilon = 1e-5

    public init<T: NetworkScalar>(_ name: String, lmax: Int, channels: Int, params: inout ParameterStore<T>) {
        self.lmax = lmax
        self.channels = channels
        gain = params.add(name + ".gain", shape: [lmax + 1, channels]) { _ in 1 }
        bias = params.add(name + ".bias", shape: [channels]) { _ in 0 }
    }

    /// In Float one C kernel (rms_norm.c, sums in 16 partial sums); in Double the loops
    /// below, the definition that kernel is tested against.
    public func forward<T: NetworkScalar>(_ x: UnsafePointer<T>, rows: Int, params: UnsafePointer<T>,
                                          into y: UnsafeMutablePointer<T>) {
        let c = channels, k = (lmax + 1) * (lmax + 1)
        if T.self == Float.self {
            x3s_rms_norm_at_width(0, floatPointer(x), nil, Int64(rows), Int64(lmax), Int64(c), floatPointer(params + gain),
                                  floatPointer(params + bias), Float(Self.epsilon), floatPointer(y), nil, nil)
            return
        }
        for r in 0..<rows {
            let xr = x + r * k * c, yr = y + r * k * c
            var mean: T = 0
            for j in 0..<c { mean += xr[j] }
            mean /= T(c)
            let inv = 1 / (meanSquare(xr, mean: mean) + T(Self.epsilon)).squareRoot()
            for l in 0...lmax {
                for i in (l * l)..<((l + 1) * (l + 1)) {
                    for j in 0..<c {
                        let v = l == 0 ? xr[j] - mean : xr[i * c + j]
                        yr[i * c + j] = v * inv * params[gain + l * c + j]
                    }
                }
            }
            for j in 0..<c { yr[j] += params[bias + j] }
        }
    }

    /// s of one row (l = 0 centred by `mean`).
    @inline(__always) func meanSquare<T: NetworkScalar>(_ xr: UnsafePointer<T>, mean: T) -> T {
        let c = channels
        var s: T = 0
        for l in 0...lmax {
            var sl: T = 0
            for i in (l * l)..<((l + 1) * (l + 1)) {
                for j in 0..<c { let v = l == 0 ? xr[j] - mean : xr[i * c + j]; sl += v * v }
            }
            s += sl / T((2 * l + 1) * c)
        }
        return s / T(lmax + 1)
    }

    public func backward<T: NetworkScalar>(_ x: UnsafePointer<T>, _ dy: UnsafePointer<T>, rows: Int,
                                           params: UnsafePointer<T>, grad: UnsafeMutablePointer<T>,
                                           dx: UnsafeMutablePointer<T>?) {
        let c = channels, k = (lmax + 1) * (lmax + 1)
        if T.self == Float.self {
            x3s_rms_norm_at_width(0, floatPointer(x), floatPointer(dy), Int64(rows), Int64(lmax), Int64(c),
                                  floatPointer(params + gain), floatPointer(params + bias), Float(Self.epsilon),
                                  dx.map { floatPointer($0) }, floatPointer(grad + gain), floatPointer(grad + bias))
            return
        }
        for r in 0..<rows {
            let xr = x + r * k * c, gr = dy + r * k * c
            var mean: T = 0
            for j in 0..<c { mean += xr[j] }
            mean /= T(c)
            let s = meanSquare(xr, mean: mean)
            let inv = 1 / (s + T(Self.epsilon)).squareRoot()
            // v = centred x; y = v·inv·g (+ b). dv_i = inv·g·dy_i − v_i·w_l·inv³·Σ_j (g dy v)_j
            // with w_l = 1/((lmax+1)(2l+1)C) the weight of v_i² in s.
            var dot: T = 0
            for j in 0..<c { grad[bias + j] += gr[j] }
            for l in 0...lmax {
                for i in (l * l)..<((l + 1) * (l + 1)) {
                    for j in 0..<c {
                        let v = l == 0 ? xr[j] - mean : xr[i * c + j]
                        grad[gain + l * c + j] += gr[i * c + j] * v * inv
                        dot += gr[i * c + j] * params[gain + l * c + j] * v
                    }
                }
            }
            guard let dx else { continue }
            let dxr = dx + r * k * c
            let inv3 = inv * inv * inv
            var dvMean: T = 0
            for l in 0...lmax {
                let w = 1 / T((lmax + 1) * (2 * l + 1) * c)
                for i in (l * l)..<((l + 1) * (l + 1)) {
                    for j in 0..<c {
                        let v = l == 0 ? xr[j] - mean : xr[i * c + j]
                        let dv = inv * params[gain + l * c + j] * gr[i * c + j] - v * w * inv3 * dot
                        dxr[i * c + j] = dv
                        if l == 0 { dvMean += dv }
                    }
                }
            }
            // centring: dx_j = dv_j − mean(dv) on l = 0
            dvMean /= T(c)
            for j in 0..<c { dxr[j] -= dvMean }
        }
    }
}

/// Gate activation: SiLU on the l = 0 channels; each l > 0 channel c multiplied by
/// σ(gate_{l,c}), gates = x₀ W_g + b_g computed from the l = 0 channels. Equivariant
/// (gates are invariant) and parity-preserving. Works on any row layout whose row 0 is
/// the l = 0 coefficient: `rowDegrees[i]` is the degree of row i (l-major node features,
/// or m-major edge features in the edge frame).
public struct GateActivation: Sendable, Equatable {
    public let lmax: Int, channels: Int
    public let rowDegrees: [Int]
    public let gate: Linear  // [C] → [lmax · C]

    /// For l-major features of degree ≤ lmax.
    public init<T: NetworkScalar>(_ name: String, lmax: Int, channels: Int, params: inout ParameterStore<T>,
                                  rng: inout some RandomNumberGenerator) {
        let degrees = (0...lmax).flatMap { l in Array(repeating: l, count: 2 * l + 1) }
        self.init(name, lmax: lmax, rowDegrees: degrees, channels: channels, params: &params, rng: &rng)
    }

    /// For m-major edge features of a layout.
    public init<T: NetworkScalar>(_ name: String, layout: CoefficientLayout, channels: Int,
                                  params: inout ParameterStore<T>, rng: inout some RandomNumberGenerator) {
        let degrees = layout.mMajor.map { Int(Double($0).squareRoot()) }
        self.init(name, lmax: layout.lmax, rowDegrees: degrees, channels: channels, params: &params, rng: &rng)
    }

    init<T: NetworkScalar>(_ name: String, lmax: Int, rowDegrees: [Int], channels: Int,
                           params: inout ParameterStore<T>, rng: inout some RandomNumberGenerator) {
        precondition(rowDegrees.first == 0)
        self.lmax = lmax
        self.channels = channels
        self.rowDegrees = rowDegrees
        gate = Linear(name + ".gate", inputs: channels, outputs: max(1, lmax) * channels, params: &params, rng: &rng)
    }

    var rows1: Int { rowDegrees.count }

    /// The gate pre-activations of `rows` feature rows: Linear of each row's l = 0 channels,
    /// [rows, max(1, lmax), channels]; `x0` receives those channels.
    func gates<T: NetworkScalar>(_ x: UnsafePointer<T>, rows: Int, params: UnsafePointer<T>) -> (x0: Buffer<T>, g: Buffer<T>) {
        let c = channels, k = rows1
        let x0 = Buffer<T>(uninitialized: rows * c), g = Buffer<T>(uninitialized: rows * max(1, lmax) * c)
        for r in 0..<rows { (x0.p + r * c).update(from: x + r * k * c, count: c) }
        gate.forward(x0.p, rows: rows, params: params, into: g.p)
        return (x0, g)
    }

    /// CX3Support's kernel (gate_activation.c) in Float; dy nil for forward.
    func floatKernel<T: NetworkScalar>(_ x: UnsafePointer<T>, _ g: UnsafePointer<T>, _ dy: UnsafePointer<T>?, rows: Int,
                                       out: UnsafeMutablePointer<T>, dg: UnsafeMutablePointer<T>?) {
        let degrees = rowDegrees.map { Int32($0) }
        let used = x3s_gate_at_width(0, floatPointer(x), floatPointer(g), dy.map { floatPointer($0) }, Int64(rows), Int64(rows1),
                                     Int64(max(1, lmax)), Int64(channels), degrees, floatPointer(out), dg.map { floatPointer($0) })
        precondition(used > 0, "gate activation out of the kernel's range")
    }

    /// In Float one C kernel (`x3s_gate_at_width`, sigmoids in double lanes); in Double
    /// the loops below, the definition that kernel is tested against.
    public func forward<T: NetworkScalar>(_ x: UnsafePointer<T>, rows: Int, params: UnsafePointer<T>,
                                          into y: UnsafeMutablePointer<T>) {
        let c = channels, k = rows1, gl = max(1, lmax)
        let (_, g) = gates(x, rows: rows, params: params)
        if T.self == Float.self {
            floatKernel(x, g.p, nil, rows: rows, out: y, dg: nil)
            return
        }
        // each gate's sigmoid once (a degree-l gate scales all 2l+1 rows of that degree)
        for i in 0..<g.count { g[i] = SiLU.sigmoid(g[i]) }
        for r in 0..<rows {
            let xr = x + r * k * c, yr = y + r * k * c
            for j in 0..<c { yr[j] = xr[j] * SiLU.sigmoid(xr[j]) }
            for i in 1..<k {
                let base = (r * gl + rowDegrees[i] - 1) * c
                for j in 0..<c { yr[i * c + j] = xr[i * c + j] * g[base + j] }
            }
        }
    }

    public func backward<T: NetworkScalar>(_ x: UnsafePointer<T>, _ dy: UnsafePointer<T>, rows: Int,
                                           params: UnsafePointer<T>, grad: UnsafeMutablePointer<T>,
                                           dx: UnsafeMutablePointer<T>) {
        let c = channels, k = rows1, gl = max(1, lmax)
        let (x0, g) = gates(x, rows: rows, params: params)
        let dg: Buffer<T>
        if T.self == Float.self {
            dg = Buffer<T>(uninitialized: g.count)  // the kernel writes it entirely
            floatKernel(x, g.p, dy, rows: rows, out: dx, dg: dg.p)
        } else {
            dg = Buffer<T>(g.count)
            for i in 0..<g.count { g[i] = SiLU.sigmoid(g[i]) }  // once per gate, as in forward
            for r in 0..<rows {
                let xr = x + r * k * c, gr = dy + r * k * c, dxr = dx + r * k * c
                for j in 0..<c {
                    let s = SiLU.sigmoid(xr[j])
                    dxr[j] = gr[j] * s * (1 + xr[j] * (1 - s))
                }
                for i in 1..<k {
                    let base = (r * gl + rowDegrees[i] - 1) * c
                    for j in 0..<c {
                        let gi = base + j
                        let s = g[gi]
                        dxr[i * c + j] = gr[i * c + j] * s
                        dg[gi] += gr[i * c + j] * xr[i * c + j] * s * (1 - s)
                    }
                }
            }
        }
        if lmax == 0 { return }
        let dx0 = Buffer<T>(uninitialized: rows * c)
        gate.backward(x0.p, dg.p, rows: rows, params: params, grad: grad, dx: dx0.p)
        for r in 0..<rows { T.add(dx0.p + r * c, count: c, into: dx + r * k * c) }
    }
}
