import CX3Support
import Testing
import X3Core
import X3Network
import X3TestSupport

/// The Float kernels of layer normalisation (layer_norm.c) and of the equivariant RMS norm
/// (rms_norm.c) against the Double loops that define them, with feature counts that leave
/// partial vectors and partial sums; and the same bits at every vector width.
struct NormKernelTests {
    @Test(arguments: [7, 32, 128, 45]) func layerNormFloatKernelMatchesTheDoubleDefinition(features: Int) {
        var rng = SplitMix(state: UInt64(features))
        var p = ParameterStore<Double>()
        let norm = LayerNorm("norm", features: features, params: &p)
        for i in 0..<p.count { p.values[i] = Double(Float(Double.random(in: 0.5...1.5, using: &rng))) }
        let rows = 9, n = rows * features
        // rows with an offset, so that the mean is not near zero
        let x = (0..<n).map { _ in Double(Float(3 + Double.random(in: -2...2, using: &rng))) }
        let dy = (0..<n).map { _ in Double(Float(Double.random(in: -1...1, using: &rng))) }
        let worst = floatAgainstDouble(norm, params: p.values, rows: rows, x: x, dy: dy)
        #expect(worst.y <= 2e-6, "forward")
        #expect(worst.dx <= 2e-6, "dx")
        #expect(worst.grad <= 1e-5, "parameter gradient (summed over rows)")
    }

    @Test func layerNormGivesTheSameBitsAtEveryWidth() {
        var rng = SplitMix(state: 3)
        let rows = 5, f = 45
        let x = (0..<(rows * f)).map { _ in Float(Double.random(in: -5...5, using: &rng)) }
        let dy = x.map { _ in Float(Double.random(in: -1...1, using: &rng)) }
        let gain = (0..<f).map { _ in Float(Double.random(in: 0.5...1.5, using: &rng)) }, bias = gain.reversed().map { $0 - 1 }
        var results: [[UInt32]] = []
        for width in [4, 8, 16] {
            var y = [Float](repeating: 0, count: x.count), dx = y
            var gg = [Float](repeating: 0, count: f), gb = gg
            if x3s_layer_norm_at_width(Int32(width), x, nil, Int64(rows), Int64(f), gain, bias, 1e-5, &y, nil, nil) == 0 { continue }
            _ = x3s_layer_norm_at_width(Int32(width), x, dy, Int64(rows), Int64(f), gain, bias, 1e-5, &dx, &gg, &gb)
            results.append((y + dx + gg + gb).map(\.bitPattern))
            // without dx, the same parameter gradients
            var gg2 = [Float](repeating: 0, count: f), gb2 = gg2
            _ = x3s_layer_norm_at_width(Int32(width), x, dy, Int64(rows), Int64(f), gain, bias, 1e-5, nil, &gg2, &gb2)
            #expect(gg2 == gg && gb2 == gb)
        }
        #expect(results.count >= 1)
        for r in results.dropFirst() { #expect(r == results[0]) }
    }

    @Test(arguments: [(3, 7), (3, 32), (2, 45), (6, 16)]) func rmsNormFloatKernelMatchesTheDoubleDefinition(lmax: Int, channels: Int) {
        var rng = SplitMix(state: UInt64(lmax * 100 + channels))
        var p = ParameterStore<Double>()
        let norm = EquivariantRMSNorm("norm", lmax: lmax, channels: channels, params: &p)
        for i in 0..<p.count { p.values[i] = Double(Float(Double.random(in: 0.5...1.5, using: &rng))) }
        let rows = 6, n = rows * (lmax + 1) * (lmax + 1) * channels
        let x = (0..<n).map { _ in Double(Float(Double.random(in: -2...2, using: &rng))) }
        let dy = (0..<n).map { _ in Double(Float(Double.random(in: -1...1, using: &rng))) }
        let worst = floatAgainstDouble(norm, params: p.values, rows: rows, x: x, dy: dy)
        #expect(worst.y <= 2e-6, "forward")
        #expect(worst.dx <= 2e-6, "dx")
        #expect(worst.grad <= 1e-5, "parameter gradient (summed over rows)")
    }

    @Test func rmsNormGivesTheSameBitsAtEveryWidth() {
        var rng = SplitMix(state: 11)
        let rows = 4, lmax = 3, c = 37, k = 16
        let x = (0..<(rows * k * c)).map { _ in Float(Double.random(in: -3...3, using: &rng)) }
        let dy = x.map { _ in Float(Double.random(in: -1...1, using: &rng)) }
        let gain = (0..<((lmax + 1) * c)).map { _ in Float(Double.random(in: 0.5...1.5, using: &rng)) }
        let bias = (0..<c).map { _ in Float(Double.random(in: -0.5...0.5, using: &rng)) }
        var results: [[UInt32]] = []
        for width in [4, 8, 16] {
            var y = [Float](repeating: 0, count: x.count), dx = y
            var gg = [Float](repeating: 0, count: gain.count), gb = [Float](repeating: 0, count: c)
            if x3s_rms_norm_at_width(Int32(width), x, nil, Int64(rows), Int64(lmax), Int64(c), gain, bias, 1e-5, &y, nil, nil) == 0 { continue }
            _ = x3s_rms_norm_at_width(Int32(width), x, dy, Int64(rows), Int64(lmax), Int64(c), gain, bias, 1e-5, &dx, &gg, &gb)
            results.append((y + dx + gg + gb).map(\.bitPattern))
        }
        #expect(results.count >= 1)
        for r in results.dropFirst() { #expect(r == results[0]) }
    }
}
