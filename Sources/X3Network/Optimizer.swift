#if canImport(Glibc)
import Glibc
#endif

/// AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay,
/// p ← p − lr·(m̂/(√v̂ + ε) + λ·p), m̂ and v̂ the bias-corrected first and second moments.
public struct AdamW: Sendable, Equatable {
    public var learningRate: Double
    public var beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8
    public var weightDecay: Double
    public private(set) var step = 0
    public private(set) var m: [Float], v: [Float]

    public init(parameters: Int, learningRate: Double = 1e-3, weightDecay: Double = 0) {
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        m = [Float](repeating: 0, count: parameters)
        v = m
    }

    /// An optimizer resumed from saved moments after `step` updates (a training checkpoint).
    public init(restoring m: [Float], _ v: [Float], step: Int, learningRate: Double, weightDecay: Double) {
        precondition(m.count == v.count && step >= 0)
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.m = m
        self.v = v
        self.step = step
    }

    /// One update of `params` with gradient `grad`.
    public mutating func update(_ params: inout [Float], _ grad: [Float]) {
        precondition(params.count == m.count && grad.count == m.count)
        step += 1
        let b1 = Float(beta1), b2 = Float(beta2)
        let c1 = 1 / (1 - pow(beta1, Double(step))), c2 = 1 / (1 - pow(beta2, Double(step)))
        let lr = Float(learningRate), wd = Float(weightDecay), eps = Float(epsilon)
        let fc1 = Float(c1), fc2 = Float(c2)
        for i in 0..<params.count {
            let g = grad[i]
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            params[i] -= lr * ((m[i] * fc1) / ((v[i] * fc2).squareRoot() + eps) + wd * params[i])
        }
    }
}
