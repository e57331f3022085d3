import Testing
import X3Network

/// Central finite differences in double precision against an analytic gradient, for every
/// entry of every parameter tensor (and of an input), with step h = 1e-6: the truncation
/// error is O(h²) ≈ 1e-12 relative and rounding ≈ 1e-10/h ≈ 1e-10, so agreement within
/// 1e-6 (relative to the gradient's scale) proves the backward pass.
struct GradientCheck {
    static let step = 1e-6
    static let tolerance = 1e-6

    /// loss(values) → scalar; grad: the analytic gradient at `values`.
    static func check(_ name: String, values: [Double], grad: [Double], entries: [(String, Range<Int>)],
                      sourceLocation: SourceLocation = #_sourceLocation, loss: ([Double]) -> Double) {
        let scale = max(1e-3, grad.map(abs).max() ?? 0)
        for (label, range) in entries {
            var worst = 0.0
            for i in range {
                var p = values, m = values
                p[i] += step; m[i] -= step
                let fd = (loss(p) - loss(m)) / (2 * step)
                worst = max(worst, abs(fd - grad[i]) / scale)
            }
            #expect(worst < tolerance, "\(name) \(label): worst relative error \(worst)", sourceLocation: sourceLocation)
        }
    }

    static func entries(_ p: ParameterStore<Double>) -> [(String, Range<Int>)] {
        p.entries.map { ($0.name, $0.offset ..< ($0.offset + $0.count)) }
    }
}
