import CX3Support
import Testing
import X3Core
import X3Network
import X3TestSupport

/// The gate activation's Float kernel (gate_activation.c) against the Double loops that
/// define it, on the node (l-major) and edge (m-major) layouts, with channel counts that
/// leave partial vectors; and the same bits at every vector width.
struct GateKernelTests {
    init() throws { try requireBLAS() }

    static func gates(channels: Int, rng: inout SplitMix) -> [(GateActivation, ParameterStore<Double>)] {
        var out: [(GateActivation, ParameterStore<Double>)] = []
        for mMajor in [false, true] {
            var p = ParameterStore<Double>()
            let gate = mMajor ? GateActivation("gate", layout: CoefficientLayout(lmax: 3, mmax: 2), channels: channels, params: &p, rng: &rng)
                              : GateActivation("gate", lmax: 3, channels: channels, params: &p, rng: &rng)
            for i in 0..<p.count { p.values[i] = Double(Float(Double.random(in: -1...1, using: &rng))) }
            out.append((gate, p))
        }
        return out
    }

    @Test(arguments: [5, 37]) func floatKernelMatchesTheDoubleDefinition(channels: Int) {
        var rng = SplitMix(state: UInt64(channels))
        for (gate, p) in Self.gates(channels: channels, rng: &rng) {
            let rows = 7, n = rows * gate.rowDegrees.count * channels
            let x = (0..<n).map { _ in Double(Float(Double.random(in: -3...3, using: &rng))) }
            let dy = (0..<n).map { _ in Double(Float(Double.random(in: -1...1, using: &rng))) }
            let worst = floatAgainstDouble(gate, params: p.values, rows: rows, x: x, dy: dy)
            // Float rounding of the gate GEMM (K = channels) and of the sums over rows
            #expect(worst.y <= 2e-6, "forward, \(gate.rowDegrees.count) rows")
            #expect(worst.dx <= 2e-6, "dx")
            #expect(worst.grad <= 2e-5, "parameter gradient")
        }
    }

    @Test func everyWidthGivesTheSameBits() {
        var rng = SplitMix(state: 5)
        let rows = 6, k = 14, gates = 3, c = 37
        let degrees: [Int32] = CoefficientLayout(lmax: 3, mmax: 2).mMajor.map { Int32(Double($0).squareRoot()) }
        #expect(degrees.count == k)
        let x = (0..<(rows * k * c)).map { _ in Float(Double.random(in: -30...30, using: &rng)) }
        let dy = x.map { _ in Float(Double.random(in: -1...1, using: &rng)) }
        let g = (0..<(rows * gates * c)).map { _ in Float(Double.random(in: -30...30, using: &rng)) }
        var results: [[UInt32]] = []
        for width in [4, 8, 16] {
            var y = [Float](repeating: 0, count: x.count), dx = y, dg = [Float](repeating: 0, count: g.count)
            if x3s_gate_at_width(Int32(width), x, g, nil, Int64(rows), Int64(k), Int64(gates), Int64(c), degrees, &y, nil) == 0 { continue }
            _ = x3s_gate_at_width(Int32(width), x, g, dy, Int64(rows), Int64(k), Int64(gates), Int64(c), degrees, &dx, &dg)
            results.append((y + dx + dg).map(\.bitPattern))
        }
        #expect(results.count >= 1)
        for r in results.dropFirst() { #expect(r == results[0]) }
        // a degree out of range is refused, not read out of bounds
        var bad = degrees
        bad[1] = 4
        var y = [Float](repeating: 0, count: x.count)
        #expect(x3s_gate_at_width(0, x, g, nil, Int64(rows), Int64(k), Int64(gates), Int64(c), bad, &y, nil) == -1)
    }
}
