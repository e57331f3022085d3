import CX3Support
import Foundation
import Testing
import X3Core
import X3Network
import X3TestSupport

/// The vectorised kernels against their straightforward versions: SiLU in Float against
/// x/(1 + e^−x) computed in Double with the C library's exp (within one float ulp), at
/// every vector width this CPU has (which must agree bit for bit); the S2 activation (the
/// fused kernel in Float, GEMMs on panels in Double) against a per-row evaluation of its
/// definition (grid values, SiLU, quadrature) in Double.
struct ElementwiseKernelTests {
    init() throws { try requireBLAS() }

    /// Inputs over the whole useful range, the clamping ends, zeros and small values,
    /// and counts that are not multiples of any width.
    static func inputs(_ count: Int) -> [Float] {
        var rng = SplitMix(state: 17)
        var x = (0..<count).map { _ in Float(Double.random(in: -30...30, using: &rng)) }
        let special: [Float] = [0, -0, 1e-30, -1e-30, 1e-6, -1e-6, 87, -87, 88.5, -88.5, 100, -100, 0.34657, -0.34657]
        for (i, v) in special.enumerated() { x[i * 3] = v }
        return x
    }

    static func siluExact(_ x: Double) -> Double { x / (1 + exp(-x)) }
    static func siluDerivativeExact(_ x: Double) -> Double {
        let s = 1 / (1 + exp(-x))
        return s * (1 + x * (1 - s))
    }

    @Test(arguments: [4, 8, 16]) func siluMatchesTheDoubleDefinitionAtEveryWidth(width: Int) throws {
        let x = Self.inputs(1003)
        var y = [Float](repeating: 0, count: x.count), dx = y
        let dy = x.map { _ in Float(0.75) }
        let got = x3s_silu_at_width(Int32(width), 0, x, nil, Int64(x.count), &y)
        guard got != 0 else { return }  // this CPU lacks the width; 4 always runs
        _ = x3s_silu_at_width(Int32(width), 1, x, dy, Int64(x.count), &dx)
        for i in x.indices {
            let e = Self.siluExact(Double(x[i])), d = 0.75 * Self.siluDerivativeExact(Double(x[i]))
            // the kernels compute in double and round once: within one float ulp
            // (relative 2^-23) of the exact values, subnormal results within 1e-44
            #expect(abs(Double(y[i]) - e) <= 0x1p-23 * abs(e) + 1e-44, "SiLU(\(x[i])) = \(y[i]), exact \(e)")
            let slack = 0x1p-23 * abs(d) + 1e-44
            #expect(abs(Double(dx[i]) - d) <= slack, "SiLU'(\(x[i])) = \(dx[i]), exact \(d)")
        }
        // the float-lane versions of the S2 grid: within 4 ulps of the exact values; below
        // x = −87 (|SiLU| < 1e-35) they may flush towards 0; the derivative also within
        // 4e-8 |dy| absolute, since near its root (x ≈ −1.28) it is a difference of O(1) terms
        var yf = y, dxf = y
        _ = x3s_silu_at_width(Int32(width), 2, x, nil, Int64(x.count), &yf)
        _ = x3s_silu_at_width(Int32(width), 3, x, dy, Int64(x.count), &dxf)
        for i in x.indices {
            let e = Self.siluExact(Double(x[i])), d = 0.75 * Self.siluDerivativeExact(Double(x[i]))
            #expect(abs(Double(yf[i]) - e) <= 4 * Double(Float(e).ulp) + 1e-35, "float-lane SiLU(\(x[i])) = \(yf[i]), exact \(e)")
            #expect(abs(Double(dxf[i]) - d) <= 4 * Double(Float(d).ulp) + 4e-8 * 0.75, "float-lane SiLU'(\(x[i])) = \(dxf[i]), exact \(d)")
        }
        // NaN propagates
        let nan: [Float] = [.nan]
        var out: [Float] = [0]
        for variant in 0...3 {
            _ = x3s_silu_at_width(Int32(width), Int32(variant), nan, [1], 1, &out)
            #expect(out[0].isNaN, "variant \(variant)")
        }
    }

    @Test func everyWidthGivesTheSameBits() throws {
        let x = Self.inputs(517)
        var reference = [Float](repeating: 0, count: x.count)
        _ = x3s_silu_at_width(4, 0, x, nil, Int64(x.count), &reference)
        for width in [8, 16] {
            var y = [Float](repeating: 0, count: x.count)
            if x3s_silu_at_width(Int32(width), 0, x, nil, Int64(x.count), &y) == 0 { continue }
            #expect(y.map(\.bitPattern) == reference.map(\.bitPattern), "width \(width)")
        }
        // and the network's SiLU (the width chosen for this CPU) is one of them
        var y = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { SiLU.forward(xp.baseAddress!, count: x.count, into: $0.baseAddress!) } }
        #expect(y.map(\.bitPattern) == reference.map(\.bitPattern))
    }

    /// The S2 activation of one row by its definition, in Double: l = 0 channels through
    /// SiLU; the rest sampled on the grid, SiLU, projected back.
    static func s2Reference(_ s2: S2Activation, _ x: [Double]) -> [Double] {
        let R = s2.rowIndices.count, c = s2.channels, G = s2.grid
        var y = [Double](repeating: 0, count: R * c)
        for j in 0..<c { y[j] = siluExact(x[j]) }
        for j in 0..<c {
            var f = [Double](repeating: 0, count: G)
            for g in 0..<G { for r in 0..<R { f[g] += s2.toGrid[g * R + r] * x[r * c + j] } }
            for g in 0..<G { f[g] = siluExact(f[g]) }
            for r in 1..<R { for g in 0..<G { y[r * c + j] += s2.fromGrid[r * G + g] * f[g] } }
        }
        return y
    }

    /// Its input gradient for an output gradient dy, in Double.
    static func s2ReferenceBackward(_ s2: S2Activation, _ x: [Double], _ dy: [Double]) -> [Double] {
        let R = s2.rowIndices.count, c = s2.channels, G = s2.grid
        var dx = [Double](repeating: 0, count: R * c)
        for j in 0..<c {
            dx[j] = dy[j] * siluDerivativeExact(x[j])
            var f = [Double](repeating: 0, count: G), df = f
            for g in 0..<G { for r in 0..<R { f[g] += s2.toGrid[g * R + r] * x[r * c + j] } }
            for g in 0..<G {
                var ds = 0.0
                for r in 1..<R { ds += s2.fromGrid[r * G + g] * dy[r * c + j] }
                df[g] = ds * siluDerivativeExact(f[g])
            }
            for r in 0..<R { for g in 0..<G { dx[r * c + j] += s2.toGrid[g * R + r] * df[g] } }
        }
        return dx
    }

    func checkS2<T: NetworkScalar>(_: T.Type, _ s2: S2Activation, rows: Int, tolerance: Double) {
        let R = s2.rowIndices.count, channels = s2.channels, n = rows * R * channels
        var rng = SplitMix(state: UInt64(rows))
        let x = (0..<n).map { _ in Double.random(in: -2...2, using: &rng) }
        let dy = (0..<n).map { _ in Double.random(in: -1...1, using: &rng) }
        let xt = x.map { T($0) }, dyt = dy.map { T($0) }
        var y = [T](repeating: 0, count: n), dx = y
        xt.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { s2.forward(xp.baseAddress!, rows: rows, into: $0.baseAddress!) }
            dyt.withUnsafeBufferPointer { gp in
                dx.withUnsafeMutableBufferPointer { s2.backward(xp.baseAddress!, gp.baseAddress!, rows: rows, dx: $0.baseAddress!) }
            }
        }
        var worst = (0.0, 0.0)
        for r in 0..<rows {
            let range = (r * R * channels)..<((r + 1) * R * channels)
            let ey = Self.s2Reference(s2, Array(x[range])), edx = Self.s2ReferenceBackward(s2, Array(x[range]), Array(dy[range]))
            for (k, i) in range.enumerated() {
                worst.0 = max(worst.0, abs(Double(y[i]) - ey[k]))
                worst.1 = max(worst.1, abs(Double(dx[i]) - edx[k]))
            }
        }
        #expect(worst.0 <= tolerance && worst.1 <= tolerance, "\(T.self), \(rows) rows: max errors \(worst)")
    }

    /// The node (l-major) and edge (m-major, |m| ≤ 2) layouts of lmax 3.
    static func activations(channels: Int, resolution: Int) -> [S2Activation] {
        [S2Activation(lmax: 3, channels: channels, resolution: resolution),
         S2Activation(layout: CoefficientLayout(lmax: 3, mmax: 2), channels: channels, resolution: resolution)]
    }

    // Double runs GEMMs on panels of 2048 columns / channels rows: 1, 64 and 150 rows (a
    // partial third panel) at 32 channels; 48 channels (42 rows per panel) for a panel width
    // that is no power of 2. Float runs the fused kernel: 20 and 3 channels leave partial
    // vectors at every width.
    @Test(arguments: [(1, 32), (64, 32), (150, 32), (100, 48), (7, 20), (5, 3)])
    func s2ActivationMatchesItsPerRowDefinition(rows: Int, channels: Int) {
        for s2 in Self.activations(channels: channels, resolution: 5) {
            #expect(s2.separable != nil, "the grid of \(s2.rowIndices.count) rows factors")
            checkS2(Double.self, s2, rows: rows, tolerance: 1e-12)
            checkS2(Float.self, s2, rows: rows, tolerance: 2e-5)
        }
    }

    /// The paper-like sizes (lmax 6: 49 node rows, 13 orders; resolution 10) and an odd
    /// resolution (an odd number of latitudes, so no latitude pairs) also factor and match.
    @Test func s2ActivationMatchesItsDefinitionAtLargerSizes() {
        for s2 in [S2Activation(lmax: 6, channels: 16, resolution: 10),
                   S2Activation(layout: CoefficientLayout(lmax: 6, mmax: 2), channels: 16, resolution: 10),
                   S2Activation(lmax: 2, channels: 16, resolution: 3)] {
            #expect(s2.separable != nil)
            checkS2(Float.self, s2, rows: 3, tolerance: 2e-5)
        }
    }

    /// The fused kernel gives the same bits at every width this CPU has, forward and backward.
    @Test func s2KernelGivesTheSameBitsAtEveryWidth() throws {
        for s2 in Self.activations(channels: 37, resolution: 5) {
            let plan = try #require(s2.separable)
            let n = 9 * s2.rowIndices.count * s2.channels
            let x = Self.inputs(n).map { $0 / 10 }, dy = Self.inputs(n).reversed().map { $0 / 30 }
            var results: [[[UInt32]]] = []
            for width in [4, 8, 16] {
                var y = [Float](repeating: 0, count: n), dx = y
                if plan.run(width: width, x, nil, rows: 9, channels: s2.channels, into: &y) == 0 { continue }
                plan.run(width: width, x, dy, rows: 9, channels: s2.channels, into: &dx)
                results.append([y.map(\.bitPattern), dx.map(\.bitPattern)])
            }
            #expect(results.count >= 1)
            for r in results.dropFirst() { #expect(r == results[0]) }
        }
    }
}
