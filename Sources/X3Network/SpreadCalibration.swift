/// How `ModelEnsemble.calibrated` fits the factor on an ensemble's spread from the
/// standardised errors of held-out structures, z = (label − prediction) / σ.
public enum SpreadCalibration: String, Sendable, CaseIterable {
    /// √(mean z²), the factor that maximises the Gaussian likelihood of the labels; after
    /// it, mean z² = 1. When the errors are heavy-tailed, a few large |z| widen every σ and
    /// ±1σ then holds more than 68 % of the labels.
    case likelihood
    /// The 68.27th percentile of |z| (linear interpolation between order statistics, as
    /// NumPy's default `quantile`): after it, ±1σ holds the Gaussian share, erf(1/√2) =
    /// 68.27 %, of these labels whatever the tails; ±2σ then holds less than 95.45 % when
    /// the tails are heavy.
    case coverage

    /// What the fitted scale guarantees on the structures it was fitted to, in words.
    public var meaning: String {
        switch self {
        case .likelihood: return "mean (error / σ)² = 1 on the calibration set"
        case .coverage: return "±1σ held 68.27 % of the calibration set's labels"
        }
    }

    /// erf(1/√2): a Gaussian's probability within one standard deviation of its mean.
    public static let oneSigmaShare = 0.682_689_492_137_085_9

    /// The factor this rule fits to `z` (the current spreads' standardised errors; at
    /// least one, each finite): the current spreads times it are the calibrated ones.
    public func factor(_ z: [Double]) -> Double {
        precondition(!z.isEmpty, "a spread scale is fitted to at least one error")
        switch self {
        case .likelihood:
            return (z.reduce(0) { $0 + $1 * $1 } / Double(z.count)).squareRoot()
        case .coverage:
            let sorted = z.map(abs).sorted()
            let position = Self.oneSigmaShare * Double(sorted.count - 1)
            let below = Int(position.rounded(.down)), above = min(below + 1, sorted.count - 1)
            let w = position - Double(below)
            return sorted[below] + w * (sorted[above] - sorted[below])
        }
    }
}
