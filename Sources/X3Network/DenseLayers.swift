import CX3Support

/// Dense building blocks on row-major [rows, features] arrays, forward and backward.
/// Backward passes *accumulate* parameter gradients into `grad` (same layout as the
/// parameter store) and *write* the input gradient when asked for it.

/// y = x W + b, W [in, out] row-major, b [out] (optional).
public struct Linear: Sendable, Equatable {
    public let inputs: Int, outputs: Int
    public let weight: Int, bias: Int?  // offsets in the parameter store

    /// Registers W (uniform ±√(3/in) scaled by `gain`, i.e. variance gain²/in) and b (zeros).
    public init<T: NetworkScalar>(_ name: String, inputs: Int, outputs: Int, bias: Bool = true, gain: Double = 1,
                                  params: inout ParameterStore<T>, rng: inout some RandomNumberGenerator) {
        self.inputs = inputs
        self.outputs = outputs
        let bound = gain * (3.0 / Double(max(inputs, 1))).squareRoot()
        weight = params.addUniform(name + ".weight", shape: [inputs, outputs], bound: bound, rng: &rng)
        self.bias = bias ? params.add(name + ".bias", shape: [outputs]) { _ in 0 } : nil
    }

    public func forward<T: NetworkScalar>(_ x: UnsafePointer<T>, rows: Int, params: UnsafePointer<T>,
                                          into y: UnsafeMutablePointer<T>) {
        if let bias {
            for r in 0..<rows { (y + r * outputs).update(from: params + bias, count: outputs) }
        }
        T.gemm(transA: false, transB: false, m: rows, n: outputs, k: inputs, alpha: 1, a: x, lda: inputs,
               b: params + weight, ldb: outputs, beta: bias == nil ? 0 : 1, c: y, ldc: outputs)
    }

    public func backward<T: NetworkScalar>(_ x: UnsafePointer<T>, _ dy: UnsafePointer<T>, rows: Int,
                                           params: UnsafePointer<T>, grad: UnsafeMutablePointer<T>,
                                           dx: UnsafeMutablePointer<T>?) {
        // dW += xᵀ dy; db += Σ_rows dy; dx = dy Wᵀ
        T.gemm(transA: true, transB: false, m: inputs, n: outputs, k: rows, alpha: 1, a: x, lda: inputs,
               b: dy, ldb: outputs, beta: 1, c: grad + weight, ldc: outputs)
        if let bias {
            T.sumRows(dy, rows: rows, columns: outputs, stride: outputs, into: grad + bias)
        }
        if let dx {
            T.gemm(transA: false, transB: true, m: rows, n: inputs, k: outputs, alpha: 1, a: dy, lda: outputs,
                   b: params + weight, ldb: outputs, beta: 0, c: dx, ldc: inputs)
        }
    }
}

/// Layer normalisation over the features of each row: y = (x − μ)/√(σ² + ε) · g + b.
public struct LayerNorm: Sendable, Equatable {
    public let features: Int
    public let gain: Int, bias: Int
    public static let epsilon = 1e-5

    public init<T: NetworkScalar>(_ name: String, features: Int, params: inout ParameterStore<T>) {
        self.features = features
        gain = params.add(name + ".gain", shape: [features]) { _ in 1 }
        bias = params.add(name + ".bias", shape: [features]) { _ in 0 }
    }

    /// In Float one C kernel (layer_norm.c, row sums in 16 partial sums); in Double the
    /// loops below, the definition that kernel is tested against.
    public func forward<T: NetworkScalar>(_ x: UnsafePointer<T>, rows: Int, params: UnsafePointer<T>,
                                          into y: UnsafeMutablePointer<T>) {
        let f = features, eps = T(LayerNorm.epsilon)
        if T.self == Float.self {
            x3s_layer_norm_at_width(0, floatPointer(x), nil, Int64(rows), Int64(f), floatPointer(params + gain),
                                    floatPointer(params + bias), Float(LayerNorm.epsilon), floatPointer(y), nil, nil)
            return
        }
        for r in 0..<rows {
            let row = x + r * f
            var mean: T = 0
            for j in 0..<f { mean += row[j] }
            mean /= T(f)
            var v: T = 0
            for j in 0..<f { let d = row[j] - mean; v += d * d }
            let inv = 1 / (v / T(f) + eps).squareRoot()
            let yr = y + r * f, g = params + gain, b = params + bias
            for j in 0..<f { yr[j] = (row[j] - mean) * inv * g[j] + b[j] }
        }
    }

    public func backward<T: NetworkScalar>(_ x: UnsafePointer<T>, _ dy: UnsafePointer<T>, rows: Int,
                                           params: UnsafePointer<T>, grad: UnsafeMutablePointer<T>,
                                           dx: UnsafeMutablePointer<T>?) {
        let f = features, eps = T(LayerNorm.epsilon), n = T(f)
        if T.self == Float.self {
            x3s_layer_norm_at_width(0, floatPointer(x), floatPointer(dy), Int64(rows), Int64(f), floatPointer(params + gain),
                                    floatPointer(params + bias), Float(LayerNorm.epsilon), dx.map { floatPointer($0) },
                                    floatPointer(grad + gain), floatPointer(grad + bias))
            return
        }
        for r in 0..<rows {
            let row = x + r * f, g = dy + r * f
            var mean: T = 0
            for j in 0..<f { mean += row[j] }
            mean /= n
            var v: T = 0
            for j in 0..<f { let d = row[j] - mean; v += d * d }
            let inv = 1 / (v / n + eps).squareRoot()
            // x̂ = (x − μ)·inv; dL/dx̂ = dy·g; dx = inv (dx̂ − mean(dx̂) − x̂ mean(dx̂ x̂))
            var sumD: T = 0, sumDX: T = 0
            for j in 0..<f {
                let xh = (row[j] - mean) * inv
                let dxh = g[j] * params[gain + j]
                grad[gain + j] += g[j] * xh
                grad[bias + j] += g[j]
                sumD += dxh
                sumDX += dxh * xh
            }
            if let dx {
                for j in 0..<f {
                    let xh = (row[j] - mean) * inv
                    dx[r * f + j] = inv * (g[j] * params[gain + j] - sumD / n - xh * sumDX / n)
                }
            }
        }
    }
}

/// SiLU(x) = x σ(x), elementwise.
/// SiLU, x σ(x), through the scalar type (`NetworkScalar.silu`): CX3Support's
/// vectorised kernels in Float, the C library's exp in Double.
public enum SiLU {
    @inline(__always) static func sigmoid<T: NetworkScalar>(_ x: T) -> T { 1 / (1 + T.exponential(-x)) }

    public static func forward<T: NetworkScalar>(_ x: UnsafePointer<T>, count: Int, into y: UnsafeMutablePointer<T>) {
        T.silu(x, count: count, into: y)
    }

    /// dx = dy · σ(x)(1 + x(1 − σ(x))).
    public static func backward<T: NetworkScalar>(_ x: UnsafePointer<T>, _ dy: UnsafePointer<T>, count: Int,
                                                  dx: UnsafeMutablePointer<T>) {
        T.siluBackward(x, dy, count: count, dx: dx)
    }
}
