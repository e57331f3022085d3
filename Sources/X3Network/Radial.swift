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

/// The radial MLP of eSCN/EquiformerV2: (Linear → LayerNorm → SiLU) × hidden layers, then
/// Linear. Maps an edge's radial features (basis + element embeddings) to the weights that
/// modulate its SO(2) convolution.
public struct RadialMLP: Sendable, Equatable {
    public let widths: [Int]  // input, hidden…, output
    public let linears: [Linear]
    public let norms: [LayerNorm]

    public init<T: NetworkScalar>(_ name: String, widths: [Int], params: inout ParameterStore<T>,
                                  rng: inout some RandomNumberGenerator) {
        precondition(widths.count >= 2)
        self.widths = widths
        var ls: [Linear] = [], ns: [LayerNorm] = []
        for i in 0..<(widths.count - 1) {
            ls.append(Linear("\(name).linear\(i)", inputs: widths[i], outputs: widths[i + 1], params: &params, rng: &rng))
            if i < widths.count - 2 { ns.append(LayerNorm("\(name).norm\(i)", features: widths[i + 1], params: &params)) }
        }
        linears = ls
        norms = ns
    }

    /// Activations kept for the backward pass: per hidden layer the linear output and the
    /// norm output (the SiLU input).
    public struct Cache<T: NetworkScalar> {
        var linearOut: [[T]] = [], normOut: [[T]] = []
        public init() {}
    }

    public func forward<T: NetworkScalar>(_ x: [T], rows: Int, params: UnsafePointer<T>, cache: inout Cache<T>) -> [T] {
        cache = Cache()
        var h = x
        for i in 0..<linears.count {
            let w = widths[i + 1]
            var z = [T](repeating: 0, count: rows * w)
            h.withUnsafeBufferPointer { hp in
                z.withUnsafeMutableBufferPointer { linears[i].forward(hp.baseAddress!, rows: rows, params: params, into: $0.baseAddress!) }
            }
            if i == linears.count - 1 { return z }
            var n = [T](repeating: 0, count: rows * w), a = n
            z.withUnsafeBufferPointer { zp in
                n.withUnsafeMutableBufferPointer { norms[i].forward(zp.baseAddress!, rows: rows, params: params, into: $0.baseAddress!) }
            }
            n.withUnsafeBufferPointer { np in
                a.withUnsafeMutableBufferPointer { SiLU.forward(np.baseAddress!, count: rows * w, into: $0.baseAddress!) }
            }
            cache.linearOut.append(z); cache.normOut.append(n)
            h = a
        }
        return h
    }

    /// Accumulates parameter gradients; returns dL/dx.
    public func backward<T: NetworkScalar>(_ x: [T], _ dy: [T], rows: Int, params: UnsafePointer<T>,
                                           grad: UnsafeMutablePointer<T>, cache: Cache<T>) -> [T] {
        var g = dy
        for i in stride(from: linears.count - 1, through: 0, by: -1) {
            // input of linear i: x for i = 0, else SiLU(normOut[i − 1])
            var input = x
            if i > 0 {
                input = [T](repeating: 0, count: cache.normOut[i - 1].count)
                cache.normOut[i - 1].withUnsafeBufferPointer { np in
                    input.withUnsafeMutableBufferPointer { SiLU.forward(np.baseAddress!, count: np.count, into: $0.baseAddress!) }
                }
            }
            var dIn = [T](repeating: 0, count: rows * widths[i])
            input.withUnsafeBufferPointer { ip in
                g.withUnsafeBufferPointer { gp in
                    dIn.withUnsafeMutableBufferPointer {
                        linears[i].backward(ip.baseAddress!, gp.baseAddress!, rows: rows, params: params, grad: grad,
                                            dx: $0.baseAddress!)
                    }
                }
            }
            if i == 0 { return dIn }
            // back through SiLU and the norm of layer i − 1
            var dn = [T](repeating: 0, count: dIn.count)
            cache.normOut[i - 1].withUnsafeBufferPointer { np in
                dIn.withUnsafeBufferPointer { dp in
                    dn.withUnsafeMutableBufferPointer { SiLU.backward(np.baseAddress!, dp.baseAddress!, count: np.count, dx: $0.baseAddress!) }
                }
            }
            var dz = [T](repeating: 0, count: dn.count)
            cache.linearOut[i - 1].withUnsafeBufferPointer { zp in
                dn.withUnsafeBufferPointer { dp in
                    dz.withUnsafeMutableBufferPointer {
                        norms[i - 1].backward(zp.baseAddress!, dp.baseAddress!, rows: rows, params: params, grad: grad,
                                              dx: $0.baseAddress!)
                    }
                }
            }
            g = dz
        }
        return g
    }
}
