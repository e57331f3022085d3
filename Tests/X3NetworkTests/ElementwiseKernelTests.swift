import CX3Support
import Foundation
import Testing
import X3Core
import X3Network
import X3TestSupport

/// The vectorised kernels against their straightforward versions: SiLU in Float against
/// x/(1 + e^−x) computed in Double with the C library's exp (within one float ulp), at
/// every vector width this CPU has (which must agree bit for bit); the panelled S2 activation against a per-row
/// evaluation of its definition (grid values, SiLU, quadrature) in Double, in Float and
/// in Double, with row counts that leave a partial panel.
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
        // NaN propagates
        let nan: [Float] = [.nan]
        var out: [Float] = [0]
        _ = x3s_silu_at_width(Int32(width), 0, nan, nil, 1, &out)
        #expect(out[0].isNaN)
        _ = x3s_silu_at_width(Int32(width), 1, nan, [1], 1, &out)
        #expect(out[0].isNaN)
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

    func checkS2<T: NetworkScalar>(_: T.Type, rows: Int, channels: Int, tolerance: Double) {
        let s2 = S2Activation(lmax: 3, channels: channels, resolution: 5)
        let R = s2.rowIndices.count, n = rows * R * channels
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

    // 2048 panel columns / 32 channels = 64 rows per panel: 1, 64 and 150 rows (a partial
    // third panel); 48 channels (42 rows per panel) for a panel width that is no power of 2
    @Test(arguments: [(1, 32), (64, 32), (150, 32), (100, 48)])
    func s2ActivationMatchesItsPerRowDefinition(rows: Int, channels: Int) {
        checkS2(Double.self, rows: rows, channels: channels, tolerance: 1e-12)
        checkS2(Float.self, rows: rows, channels: channels, tolerance: 2e-5)
    }
}
