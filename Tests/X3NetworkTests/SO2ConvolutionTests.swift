import Testing
import X3Core
import X3Network
import X3TestSupport

/// The eSCN message path — rotate into the edge frame, radially modulated SO(2)
/// convolution, rotate back: gradients, adjoints, and equivariance of the message under
/// rotation and inversion of the whole input.
struct SO2ConvolutionTests {
    init() throws { try requireBLAS() }

    static let layout = CoefficientLayout(lmax: 3, mmax: 2)
    static let cin = 3, cout = 4

    static func rnd(_ n: Int, _ rng: inout SplitMix) -> [Double] { (0..<n).map { _ in Double.random(in: -1...1, using: &rng) } }

    @Test func rotationsAreAdjoint() {
        var rng = SplitMix(state: 51)
        let L = Self.layout, c = 2, nodes: [Int32] = [1, 0, 1]
        let vecs = (0..<3).map { _ in Vec3(Double.random(in: -1...1, using: &rng), Double.random(in: -1...1, using: &rng), 0.3) }
        let rot = EdgeRotations<Double>(vectors: vecs, layout: L)
        let x = Self.rnd(2 * L.fullCount * c, &rng), g = Self.rnd(3 * L.count * c, &rng)
        var rx = [Double](repeating: 0, count: g.count), bg = [Double](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { xp in rx.withUnsafeMutableBufferPointer {
            rot.rotateIn(xp.baseAddress!, channels: c, nodes: nodes, into: $0.baseAddress!, outChannels: c, channelOffset: 0) } }
        g.withUnsafeBufferPointer { gp in bg.withUnsafeMutableBufferPointer {
            rot.rotateInBackward(gp.baseAddress!, outChannels: c, channelOffset: 0, nodes: nodes, into: $0.baseAddress!, channels: c) } }
        let lhs = zip(rx, g).map(*).reduce(0, +), rhs = zip(x, bg).map(*).reduce(0, +)
        #expect(abs(lhs - rhs) < 1e-12)
        let h = Self.rnd(3 * L.fullCount * c, &rng)
        var ro = [Double](repeating: 0, count: h.count), bo = [Double](repeating: 0, count: g.count)
        g.withUnsafeBufferPointer { gp in ro.withUnsafeMutableBufferPointer { rot.rotateOut(gp.baseAddress!, channels: c, into: $0.baseAddress!) } }
        h.withUnsafeBufferPointer { hp in bo.withUnsafeMutableBufferPointer { rot.rotateOutBackward(hp.baseAddress!, channels: c, into: $0.baseAddress!) } }
        let outer: Double = zip(ro, h).map(*).reduce(0, +)
        let inner: Double = zip(g, bo).map(*).reduce(0, +)
        #expect(abs(outer - inner) < 1e-12)
    }

    @Test func convolutionGradientsMatchFiniteDifferences() {
        var rng = SplitMix(state: 52)
        var params = ParameterStore<Double>()
        let conv = SO2Convolution("conv", layout: Self.layout, inputs: Self.cin, outputs: Self.cout, params: &params, rng: &rng)
        for i in params.entry("conv.bias")!.offset ..< params.count { params.values[i] = Double.random(in: -1...1, using: &rng) }
        let edges = 3, M = Self.layout.count
        let x = Self.rnd(edges * M * Self.cin, &rng), r = Self.rnd(edges * conv.radialWidth, &rng)
        let proj = Self.rnd(edges * M * Self.cout, &rng)
        func loss(_ p: [Double], _ xx: [Double], _ rr: [Double]) -> Double {
            var y = [Double](repeating: 0, count: edges * M * Self.cout)
            let xm = xx.withUnsafeBufferPointer { xp in rr.withUnsafeBufferPointer { conv.modulate(xp.baseAddress!, radial: $0.baseAddress!, edges: edges) } }
            xm.withUnsafeBufferPointer { xp in p.withUnsafeBufferPointer { pp in y.withUnsafeMutableBufferPointer {
                conv.forward(modulated: xp.baseAddress!, edges: edges, params: pp.baseAddress!, into: $0.baseAddress!) } } }
            return zip(y, proj).map(*).reduce(0, +)
        }
        var grad = [Double](repeating: 0, count: params.count), dx = [Double](repeating: 0, count: x.count)
        var dr = [Double](repeating: 0, count: r.count)
        let xm = x.withUnsafeBufferPointer { xp in r.withUnsafeBufferPointer { conv.modulate(xp.baseAddress!, radial: $0.baseAddress!, edges: edges) } }
        x.withUnsafeBufferPointer { xp in r.withUnsafeBufferPointer { rp in xm.withUnsafeBufferPointer { mp in
            proj.withUnsafeBufferPointer { gp in params.values.withUnsafeBufferPointer { pp in
                grad.withUnsafeMutableBufferPointer { gr in dx.withUnsafeMutableBufferPointer { dxp in dr.withUnsafeMutableBufferPointer { drp in
                    conv.backward(xp.baseAddress!, radial: rp.baseAddress!, modulated: mp.baseAddress!, gp.baseAddress!, edges: edges,
                                  params: pp.baseAddress!, grad: gr.baseAddress!, dx: dxp.baseAddress!, dr: drp.baseAddress!)
                }}}
            }}
        }}}
        GradientCheck.check("SO2Convolution", values: params.values, grad: grad, entries: GradientCheck.entries(params)) { loss($0, x, r) }
        GradientCheck.check("SO2Convolution", values: x, grad: dx, entries: [("input", 0..<x.count)]) { loss(params.values, $0, r) }
        GradientCheck.check("SO2Convolution", values: r, grad: dr, entries: [("radial", 0..<r.count)]) { loss(params.values, x, $0) }
    }

    /// message(x_src, v) = D_vᵀ · SO2Conv(r ⊙ (D_v · x_src)). For a rotation R:
    /// message(D(R) x, R v) = D(R) message(x, v); for inversion: message(P x, −v) = P message(x, v)
    /// with P = (−1)^l — the latter only because the imaginary SO(2) weights are left out.
    @Test func messagesAreEquivariantUnderRotationAndInversion() {
        var rng = SplitMix(state: 53)
        var params = ParameterStore<Double>()
        let L = Self.layout, K = L.fullCount
        let conv = SO2Convolution("conv", layout: L, inputs: Self.cin, outputs: Self.cout, params: &params, rng: &rng)
        for i in params.entry("conv.bias")!.offset ..< params.count { params.values[i] = Double.random(in: -1...1, using: &rng) }
        let r = Self.rnd(conv.radialWidth, &rng)
        func message(_ x: [Double], _ v: Vec3) -> [Double] {
            let rot = EdgeRotations<Double>(vectors: [v], layout: L)
            var xe = [Double](repeating: 0, count: L.count * Self.cin)
            x.withUnsafeBufferPointer { xp in xe.withUnsafeMutableBufferPointer {
                rot.rotateIn(xp.baseAddress!, channels: Self.cin, nodes: [0], into: $0.baseAddress!, outChannels: Self.cin, channelOffset: 0) } }
            let xm = xe.withUnsafeBufferPointer { xp in r.withUnsafeBufferPointer { conv.modulate(xp.baseAddress!, radial: $0.baseAddress!, edges: 1) } }
            var ye = [Double](repeating: 0, count: L.count * Self.cout), y = [Double](repeating: 0, count: K * Self.cout)
            xm.withUnsafeBufferPointer { xp in params.values.withUnsafeBufferPointer { pp in ye.withUnsafeMutableBufferPointer {
                conv.forward(modulated: xp.baseAddress!, edges: 1, params: pp.baseAddress!, into: $0.baseAddress!) } } }
            ye.withUnsafeBufferPointer { yp in y.withUnsafeMutableBufferPointer { rot.rotateOut(yp.baseAddress!, channels: Self.cout, into: $0.baseAddress!) } }
            return y
        }
        func transform(_ x: [Double], _ d: [Double], _ c: Int, invert: Bool) -> [Double] {
            var y = [Double](repeating: 0, count: x.count)
            for l in 0...L.lmax {
                let n = 2 * l + 1, b = WignerD.blockStart(l), s = invert && l % 2 == 1 ? -1.0 : 1.0
                for i in 0..<n { for j in 0..<n { for ch in 0..<c { y[(l * l + i) * c + ch] += s * d[b + i * n + j] * x[(l * l + j) * c + ch] } } }
            }
            return y
        }
        for _ in 0..<8 {
            let x = Self.rnd(K * Self.cin, &rng)
            let v = Vec3(Double.random(in: -2...2, using: &rng), Double.random(in: -2...2, using: &rng), Double.random(in: -2...2, using: &rng))
            let R = Rotation(quaternion: SIMD4(Double.random(in: -1...1, using: &rng), Double.random(in: -1...1, using: &rng),
                                               Double.random(in: -1...1, using: &rng), Double.random(in: -1...1, using: &rng)))
            let d = WignerD.matrices(R, lmax: L.lmax)
            let base = message(x, v)
            let rotated = message(transform(x, d, Self.cin, invert: false), R.apply(v))
            let e1 = zip(rotated, transform(base, d, Self.cout, invert: false)).map { abs($0 - $1) }.max()!
            #expect(e1 < 1e-12, "rotation equivariance error \(e1)")
            let eye = WignerD.matrices(.identity, lmax: L.lmax)
            let inverted = message(transform(x, eye, Self.cin, invert: true), -v)
            let e2 = zip(inverted, transform(base, eye, Self.cout, invert: true)).map { abs($0 - $1) }.max()!
            #expect(e2 < 1e-12, "inversion equivariance error \(e2)")
        }
    }
}
