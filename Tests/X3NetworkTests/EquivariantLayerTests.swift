import Testing
import X3Core
import X3Network
import X3TestSupport

/// SO(3) linear, equivariant RMS norm and gate activation: gradient checks for every
/// parameter tensor and the input; rotation and inversion equivariance, D(R)·f(x) = f(D(R)·x).
struct EquivariantLayerTests {
    init() throws { try requireBLAS() }

    static let lmax = 3, channels = 5, rows = 3
    static var k: Int { (lmax + 1) * (lmax + 1) }

    /// A layer as forward and backward closures over a parameter store.
    struct Layer {
        var params: ParameterStore<Double>
        var forward: (UnsafePointer<Double>, UnsafePointer<Double>, UnsafeMutablePointer<Double>) -> Void
        var backward: (UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>, UnsafeMutablePointer<Double>,
                       UnsafeMutablePointer<Double>) -> Void
        var outChannels: Int
    }

    static func layers() -> [(String, Layer)] {
        var out: [(String, Layer)] = []
        var rng = SplitMix(state: 21)
        let (L, C, R) = (lmax, channels, rows)
        do {
            var p = ParameterStore<Double>()
            let lin = SO3Linear("lin", lmax: L, inputs: C, outputs: 4, params: &p, rng: &rng)
            for i in p.entry("lin.bias")!.offset ..< p.count { p.values[i] = Double.random(in: -1...1, using: &rng) }
            out.append(("SO3Linear", Layer(params: p,
                forward: { x, pp, y in lin.forward(x, rows: R, params: pp, into: y) },
                backward: { x, dy, pp, g, dx in lin.backward(x, dy, rows: R, params: pp, grad: g, dx: dx) }, outChannels: 4)))
        }
        do {
            var p = ParameterStore<Double>()
            let norm = EquivariantRMSNorm("norm", lmax: L, channels: C, params: &p)
            for i in 0..<p.count { p.values[i] = Double.random(in: 0.5...1.5, using: &rng) }
            out.append(("EquivariantRMSNorm", Layer(params: p,
                forward: { x, pp, y in norm.forward(x, rows: R, params: pp, into: y) },
                backward: { x, dy, pp, g, dx in norm.backward(x, dy, rows: R, params: pp, grad: g, dx: dx) }, outChannels: C)))
        }
        do {
            var p = ParameterStore<Double>()
            let gate = GateActivation("gate", lmax: L, channels: C, params: &p, rng: &rng)
            for i in 0..<p.count { p.values[i] = Double.random(in: -1...1, using: &rng) }
            out.append(("GateActivation", Layer(params: p,
                forward: { x, pp, y in gate.forward(x, rows: R, params: pp, into: y) },
                backward: { x, dy, pp, g, dx in gate.backward(x, dy, rows: R, params: pp, grad: g, dx: dx) }, outChannels: C)))
        }
        return out
    }

    static func run(_ layer: Layer, _ x: [Double], _ p: [Double]) -> [Double] {
        var y = [Double](repeating: 0, count: rows * k * layer.outChannels)
        x.withUnsafeBufferPointer { xp in p.withUnsafeBufferPointer { pp in
            y.withUnsafeMutableBufferPointer { layer.forward(xp.baseAddress!, pp.baseAddress!, $0.baseAddress!) }
        }}
        return y
    }

    /// D(R) applied to features [rows, K, C] (and parity (−1)^l when `invert`).
    static func rotate(_ x: [Double], _ d: [Double], channels c: Int, invert: Bool = false) -> [Double] {
        var y = [Double](repeating: 0, count: x.count)
        for r in 0..<rows {
            for l in 0...lmax {
                let n = 2 * l + 1, b = WignerD.blockStart(l)
                let sign = invert && l % 2 == 1 ? -1.0 : 1.0
                for i in 0..<n { for j in 0..<n { for ch in 0..<c {
                    y[(r * k + l * l + i) * c + ch] += sign * d[b + i * n + j] * x[(r * k + l * l + j) * c + ch]
                }}}
            }
        }
        return y
    }

    @Test(arguments: [0, 1, 2]) func gradientsMatchFiniteDifferences(which: Int) {
        let (name, layer) = Self.layers()[which]
        var rng = SplitMix(state: 33)
        let x = (0..<(Self.rows * Self.k * Self.channels)).map { _ in Double.random(in: -1...1, using: &rng) }
        let r = (0..<(Self.rows * Self.k * layer.outChannels)).map { _ in Double.random(in: -1...1, using: &rng) }
        var grad = [Double](repeating: 0, count: layer.params.count), dx = [Double](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { xp in r.withUnsafeBufferPointer { rp in layer.params.values.withUnsafeBufferPointer { pp in
            grad.withUnsafeMutableBufferPointer { gp in dx.withUnsafeMutableBufferPointer { dxp in
                layer.backward(xp.baseAddress!, rp.baseAddress!, pp.baseAddress!, gp.baseAddress!, dxp.baseAddress!)
            }}
        }}}
        func loss(_ p: [Double], _ input: [Double]) -> Double { zip(Self.run(layer, input, p), r).map(*).reduce(0, +) }
        GradientCheck.check(name, values: layer.params.values, grad: grad, entries: GradientCheck.entries(layer.params)) {
            loss($0, x)
        }
        GradientCheck.check(name, values: x, grad: dx, entries: [("input", 0..<x.count)]) { loss(layer.params.values, $0) }
    }

    @Test(arguments: [0, 1, 2]) func equivariantUnderRotationAndInversion(which: Int) {
        let (name, layer) = Self.layers()[which]
        var rng = SplitMix(state: 44)
        let x = (0..<(Self.rows * Self.k * Self.channels)).map { _ in Double.random(in: -1...1, using: &rng) }
        for _ in 0..<5 {
            let rot = Rotation(quaternion: SIMD4(Double.random(in: -1...1, using: &rng), Double.random(in: -1...1, using: &rng),
                                                 Double.random(in: -1...1, using: &rng), Double.random(in: -1...1, using: &rng)))
            let d = WignerD.matrices(rot, lmax: Self.lmax)
            for invert in [false, true] {
                let y = Self.run(layer, Self.rotate(x, d, channels: Self.channels, invert: invert), layer.params.values)
                let expected = Self.rotate(Self.run(layer, x, layer.params.values), d, channels: layer.outChannels, invert: invert)
                let worst = zip(y, expected).map { abs($0 - $1) }.max()!
                #expect(worst < 1e-12, "\(name): equivariance error \(worst) (inversion \(invert))")
            }
        }
    }
}

/// The S2-grid activation alone: input gradient by finite differences (it has no
/// parameters), for l-major and m-major rows.
struct S2ActivationTests {
    init() throws { try requireBLAS() }

    @Test(arguments: [false, true]) func inputGradientMatchesFiniteDifferences(mMajor: Bool) {
        let layout = CoefficientLayout(lmax: 3, mmax: 2)
        let act = mMajor ? S2Activation(layout: layout, channels: 3, resolution: 6)
                         : S2Activation(lmax: 3, channels: 3, resolution: 6)
        let rows = 2, width = act.rowIndices.count * 3
        var rng = SplitMix(state: 91)
        let x = (0..<(rows * width)).map { _ in Double.random(in: -1...1, using: &rng) }
        let r = (0..<(rows * width)).map { _ in Double.random(in: -1...1, using: &rng) }
        func loss(_ input: [Double]) -> Double {
            var y = [Double](repeating: 0, count: input.count)
            input.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { act.forward(xp.baseAddress!, rows: rows, into: $0.baseAddress!) } }
            return zip(y, r).map(*).reduce(0, +)
        }
        var dx = [Double](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { xp in r.withUnsafeBufferPointer { rp in dx.withUnsafeMutableBufferPointer {
            act.backward(xp.baseAddress!, rp.baseAddress!, rows: rows, dx: $0.baseAddress!) } } }
        GradientCheck.check("S2Activation", values: x, grad: dx, entries: [("input", 0..<x.count)], loss: loss)
    }
}
