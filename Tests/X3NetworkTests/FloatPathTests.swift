import Testing
import X3Core
import X3Network
import X3TestSupport

/// The Float network runs the vectorised C kernels (SiLU, edge rotations, the fused
/// rotate-and-sum) where the Double network runs the straightforward Swift loops; both
/// are the same function. Same weights, same windows: outputs and every parameter
/// gradient agree to float rounding, for the gate and the S2 activation, with and
/// without the probe node, and with channel counts that leave vector tails.
struct FloatPathTests {
    init() throws { try requireBLAS() }

    @Test(arguments: [(true, false, 8), (true, true, 16), (false, false, 12)])
    func floatModelEqualsTheDoubleModel(probe: Bool, s2: Bool, channels: Int) throws {
        var config = ModelTests.smallConfig(probe: probe, s2: s2)
        config.lmax = 3; config.mmax = 2; config.channels = channels; config.attentionChannels = channels
        config.ffnChannels = channels + 3; config.maxNeighbours = 6
        var rng = SplitMix(state: UInt64(channels))
        var d = try EquiformerModel<Double>(config: config)
        for i in d.params.values.indices { d.params.values[i] += Double.random(in: -0.05...0.05, using: &rng) }
        var f = try EquiformerModel<Float>(config: config)
        for i in f.params.values.indices { f.params.values[i] = Float(d.params.values[i]) }
        let windows = ModelTests.toyWindows(&rng, count: 3, atoms: 9)
        let batch = GraphBatch(windows, cutoff: config.cutoff, maxNeighbours: config.maxNeighbours, probe: probe)
        #expect(batch.edgeCount > 30)
        let r = (0..<(batch.windows * 2)).map { _ in Double.random(in: -1...1, using: &rng) }
        let td = d.forward(batch), tf = f.forward(batch)
        var gd = [Double](repeating: 0, count: d.params.count), gf = [Float](repeating: 0, count: f.params.count)
        d.backward(td, outputGradient: r, into: &gd)
        f.backward(tf, outputGradient: r.map { Float($0) }, into: &gf)
        let yd = td.outputs.array, yf = tf.outputs.array.map { Double($0) }
        let yScale = yd.map(abs).max()!, gScale = gd.map(abs).max()!
        let yErr = zip(yd, yf).map { abs($0 - $1) }.max()!, gErr = zip(gd, gf).map { abs($0 - Double($1)) }.max()!
        #expect(yErr <= 1e-4 * yScale, "outputs: max error \(yErr) on a scale of \(yScale)")
        #expect(gErr <= 1e-4 * gScale, "gradients: max error \(gErr) on a scale of \(gScale)")
    }
}
