// Kernel timings in one process: the SiLU kernel per element, and the S2 activation as
// the fused kernel (S2SeparablePlan) against its GEMM formulation on panels, forward and
// backward, at the sizes of the peer-matched configurations (NetworkBench.swift).
//
//   x3mat-bench kernels [ROWS]
//
// Each measurement alternates the two versions, five rounds; the best round is printed.
import CX3Support
import X3Core
import X3Network

func benchKernels(rows: Int) throws {
    try requireBLAS()
    var rng = SplitMix64(seed: 7)
    // SiLU, double lanes (what every SiLU of the network runs)
    let n = 1 << 20
    let x = (0..<n).map { _ in Float(Double.random(in: -6...6, using: &rng)) }
    var y = [Float](repeating: 0, count: n)
    var best = (Double.infinity, Double.infinity)
    for _ in 0..<5 {
        var t0 = now()
        x3s_silu_forward(x, Int64(n), &y)
        best.0 = min(best.0, now() - t0)
        t0 = now()
        x3s_silu_backward(x, x, Int64(n), &y)
        best.1 = min(best.1, now() - t0)
    }
    print("SiLU (\(x3s_vector_width()) float lanes, double arithmetic): forward \(formatFixed(best.0 / Double(n) * 1e9, 3)) ns, "
          + "backward \(formatFixed(best.1 / Double(n) * 1e9, 3)) ns per element")
    // the S2 activation
    let cases: [(String, S2Activation)] = [
        ("small, edges (lmax 3, |m| ≤ 2, 32 channels, grid 5 × 10)",
         S2Activation(layout: CoefficientLayout(lmax: 3, mmax: 2), channels: 32, resolution: 5)),
        ("small, nodes (lmax 3, 64 channels, grid 5 × 10)", S2Activation(lmax: 3, channels: 64, resolution: 5)),
        ("paper, edges (lmax 6, |m| ≤ 2, 128 channels, grid 10 × 20)",
         S2Activation(layout: CoefficientLayout(lmax: 6, mmax: 2), channels: 128, resolution: 10)),
    ]
    for (name, s2) in cases {
        let count = rows * s2.rowIndices.count * s2.channels
        let input = (0..<count).map { _ in Float(Double.random(in: -2...2, using: &rng)) }
        let dy = (0..<count).map { _ in Float(Double.random(in: -1...1, using: &rng)) }
        let out = Buffer<Float>(count)
        var fused = (Double.infinity, Double.infinity), panels = (Double.infinity, Double.infinity)
        input.withUnsafeBufferPointer { xp in
            dy.withUnsafeBufferPointer { gp in
                let x = xp.baseAddress!, g = gp.baseAddress!
                for _ in 0..<5 {
                    var t0 = now()
                    s2.forward(x, rows: rows, into: out.p)
                    fused.0 = min(fused.0, now() - t0)
                    t0 = now()
                    s2.forwardOnPanels(x, rows: rows, into: out.p)
                    panels.0 = min(panels.0, now() - t0)
                    t0 = now()
                    s2.backward(x, g, rows: rows, dx: out.p)
                    fused.1 = min(fused.1, now() - t0)
                    t0 = now()
                    s2.backwardOnPanels(x, g, rows: rows, dx: out.p)
                    panels.1 = min(panels.1, now() - t0)
                }
            }
        }
        let perRow = 1e6 / Double(rows)
        print("S2 \(name), \(rows) rows: forward fused \(formatFixed(fused.0 * perRow, 2)) µs/row, "
              + "panels \(formatFixed(panels.0 * perRow, 2)) (\(formatFixed(panels.0 / fused.0, 2))×); backward fused "
              + "\(formatFixed(fused.1 * perRow, 2)), panels \(formatFixed(panels.1 * perRow, 2)) (\(formatFixed(panels.1 / fused.1, 2))×)")
    }
}
