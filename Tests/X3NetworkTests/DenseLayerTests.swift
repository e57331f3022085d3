import Testing
import X3Core
import X3Network
import X3TestSupport

/// Dense layers and the radial MLP: finite-difference gradient checks for every parameter
/// tensor and the input, and the radial basis's defining properties.
struct DenseLayerTests {
    init() throws { try requireBLAS() }

    static func random(_ n: Int, _ rng: inout SplitMix) -> [Double] { (0..<n).map { _ in Double.random(in: -1...1, using: &rng) } }

    @Test func radialMLPGradientsMatchFiniteDifferences() throws {
        var rng = SplitMix(state: 5)
        var params = ParameterStore<Double>()
        let mlp = RadialMLP("radial", widths: [6, 8, 7, 5], params: &params, rng: &rng)
        // non-trivial norm parameters
        for e in params.entries where e.name.contains("norm") {
            for i in e.offset ..< (e.offset + e.count) { params.values[i] = Double.random(in: 0.5...1.5, using: &rng) }
        }
        let rows = 4
        let x = Self.random(rows * 6, &rng), r = Self.random(rows * 5, &rng)
        func loss(_ p: [Double], _ input: [Double]) -> Double {
            var c = RadialMLP.Cache<Double>()
            let y = p.withUnsafeBufferPointer { mlp.forward(input, rows: rows, params: $0.baseAddress!, cache: &c) }
            return zip(y, r).map(*).reduce(0, +)
        }
        var cache = RadialMLP.Cache<Double>()
        var grad = [Double](repeating: 0, count: params.count)
        var dx: [Double] = []
        params.values.withUnsafeBufferPointer { pp in
            _ = mlp.forward(x, rows: rows, params: pp.baseAddress!, cache: &cache)
            dx = grad.withUnsafeMutableBufferPointer { mlp.backward(x, r, rows: rows, params: pp.baseAddress!, grad: $0.baseAddress!, cache: cache) }
        }
        GradientCheck.check("radial MLP", values: params.values, grad: grad, entries: GradientCheck.entries(params)) {
            loss($0, x)
        }
        GradientCheck.check("radial MLP", values: x, grad: dx, entries: [("input", 0..<x.count)]) { loss(params.values, $0) }
    }

    /// φ_k peaks at μ_k, vanishes (with the envelope) at and beyond the cutoff, and the
    /// envelope is 1 at 0 with zero first and second derivatives at 1.
    @Test func radialBasisShape() {
        let rb = RadialBasis(count: 8, cutoff: 5)
        var out = [Double](repeating: 0, count: 3 * 8)
        out.withUnsafeMutableBufferPointer { rb.evaluate([0, 5.0, 7.0], into: $0.baseAddress!) }
        #expect(out[0] == 1)  // d = 0: φ_0 = u(0)·1
        #expect(out[8..<24].allSatisfy { $0 == 0 })
        #expect(RadialBasis.envelope(0) == 1 && RadialBasis.envelope(1) == 0)
        let h = 1e-4
        let d1 = (RadialBasis.envelope(1) - RadialBasis.envelope(1 - h)) / h
        let d2 = (RadialBasis.envelope(1) - 2 * RadialBasis.envelope(1 - h) + RadialBasis.envelope(1 - 2 * h)) / (h * h)
        // one-sided differences: errors O(h·u'') ≈ 0 and O(h·u''') = 1e-4 · 210 = 0.021
        #expect(abs(d1) < 1e-6 && abs(d2) < 0.03)
    }
}
