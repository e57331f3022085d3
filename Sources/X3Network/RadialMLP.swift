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

    /// Activations kept for the backward pass: per hidden layer the linear output, the
    /// norm output (the SiLU input) and the SiLU output (the next linear's input).
    public struct Cache<T: NetworkScalar> {
        var linearOut: [Buffer<T>] = [], normOut: [Buffer<T>] = [], activated: [Buffer<T>] = []
        public init() {}
    }

    public func forward<T: NetworkScalar>(_ x: [T], rows: Int, params: UnsafePointer<T>, cache: inout Cache<T>) -> [T] {
        x.withUnsafeBufferPointer { forward($0.baseAddress!, rows: rows, params: params, cache: &cache).array }
    }

    /// The outputs [rows, widths.last] for inputs x [rows, widths[0]].
    public func forward<T: NetworkScalar>(_ x: UnsafePointer<T>, rows: Int, params: UnsafePointer<T>,
                                          cache: inout Cache<T>) -> Buffer<T> {
        cache = Cache()
        var h = x
        for i in 0..<linears.count {
            let w = widths[i + 1]
            let z = Buffer<T>(uninitialized: rows * w)
            linears[i].forward(h, rows: rows, params: params, into: z.p)
            if i == linears.count - 1 { return z }
            let n = Buffer<T>(uninitialized: rows * w), a = Buffer<T>(uninitialized: rows * w)
            norms[i].forward(z.p, rows: rows, params: params, into: n.p)
            SiLU.forward(n.p, count: rows * w, into: a.p)
            cache.linearOut.append(z); cache.normOut.append(n); cache.activated.append(a)
            h = UnsafePointer(a.p)
        }
        preconditionFailure("a radial MLP has at least one linear layer")
    }

    /// The outputs of a `forward` again from its cache (the last linear layer only), for
    /// a backward pass that did not keep them; the same values as `forward` returned.
    public func outputs<T: NetworkScalar>(_ x: UnsafePointer<T>, rows: Int, params: UnsafePointer<T>,
                                          cache: Cache<T>) -> Buffer<T> {
        let z = Buffer<T>(uninitialized: rows * widths[widths.count - 1])
        linears[linears.count - 1].forward(cache.activated.last.map { UnsafePointer($0.p) } ?? x, rows: rows,
                                           params: params, into: z.p)
        return withExtendedLifetime(cache) { z }
    }

    /// Accumulates parameter gradients; returns dL/dx.
    public func backward<T: NetworkScalar>(_ x: [T], _ dy: [T], rows: Int, params: UnsafePointer<T>,
                                           grad: UnsafeMutablePointer<T>, cache: Cache<T>) -> [T] {
        x.withUnsafeBufferPointer { xp in
            dy.withUnsafeBufferPointer {
                backward(xp.baseAddress!, $0.baseAddress!, rows: rows, params: params, grad: grad, cache: cache).array
            }
        }
    }

    /// Accumulates parameter gradients; returns dL/dx [rows, widths[0]] for dL/dy.
    public func backward<T: NetworkScalar>(_ x: UnsafePointer<T>, _ dy: UnsafePointer<T>, rows: Int,
                                           params: UnsafePointer<T>, grad: UnsafeMutablePointer<T>,
                                           cache: Cache<T>) -> Buffer<T> {
        var upstream: Buffer<T>? = nil  // dL/d(output of linear i), below the last layer
        for i in stride(from: linears.count - 1, through: 0, by: -1) {
            // input of linear i: x for i = 0, else SiLU(normOut[i − 1])
            let input = i == 0 ? x : UnsafePointer(cache.activated[i - 1].p)
            let dIn = Buffer<T>(uninitialized: rows * widths[i])
            withExtendedLifetime(upstream) {
                linears[i].backward(input, upstream.map { UnsafePointer($0.p) } ?? dy, rows: rows, params: params,
                                    grad: grad, dx: dIn.p)
            }
            if i == 0 { return dIn }
            // back through SiLU and the norm of layer i − 1
            let dn = Buffer<T>(uninitialized: dIn.count), dz = Buffer<T>(uninitialized: dIn.count)
            SiLU.backward(cache.normOut[i - 1].p, dIn.p, count: dIn.count, dx: dn.p)
            norms[i - 1].backward(cache.linearOut[i - 1].p, dn.p, rows: rows, params: params, grad: grad, dx: dz.p)
            upstream = dz
        }
        preconditionFailure("a radial MLP has at least one linear layer")
    }
}
