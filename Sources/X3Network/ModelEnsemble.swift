import X3Core

/// Models of the same property used together: a window's contribution is the mean of
/// the members' contributions and its uncertainty their spread (sample standard
/// deviation, with n − 1), and the same for the property. Members share the targets and
/// the windows (radius and step), so one set of windows serves them all; anything else
/// may differ (seed, training fold, architecture, target normalisation). One member is an
/// ordinary model, with no spread. `ModelFile` keeps an ensemble in one file.
///
/// A few members trained alike usually disagree less than their errors are large, so
/// their spread understates the uncertainty. `spreadScale` (one factor per target, 1 by
/// default) multiplies every standard deviation the ensemble reports, the property's and
/// each window's; `calibrated(actual:predicted:spread:rule:)` fits it on held-out structures
/// and `spreadCalibration` then says by which rule, so what ±1σ means can be told.
public struct ModelEnsemble: Sendable {
    public private(set) var members: [EquiformerModel<Float>]
    /// Per target, the factor applied to the members' standard deviations (each finite
    /// and > 0); all 1 until the ensemble is calibrated.
    public private(set) var spreadScale: [Double]
    /// The rule that fitted `spreadScale`: nil while the scale is 1, and when it was set
    /// by hand (`scalingSpread(to:)`) or read from a file that does not say.
    public private(set) var spreadCalibration: SpreadCalibration?

    /// A single model.
    public init(_ model: EquiformerModel<Float>) {
        members = [model]
        spreadScale = [Double](repeating: 1, count: model.config.targets.count)
    }

    /// Several models; throws `invalidArgument` when there are none or they disagree on
    /// targets, `perVolume`, window radius or window step. The card is the first member's.
    public init(members: [EquiformerModel<Float>]) throws {
        guard let first = members.first else { throw X3Error(.invalidArgument, "an ensemble needs at least one model") }
        for (i, m) in members.enumerated().dropFirst() {
            guard m.config.targets == first.config.targets else {
                throw X3Error(.invalidArgument, "ensemble member \(i) predicts \(m.config.targets.joined(separator: ", ")) "
                              + "but member 0 predicts \(first.config.targets.joined(separator: ", "))")
            }
            guard m.config.perVolume == first.config.perVolume else {
                throw X3Error(.invalidArgument, "ensemble member \(i) has per_volume \(m.config.perVolume) but member 0 "
                              + "\(first.config.perVolume); the members must agree on what their outputs mean")
            }
            guard m.config.windowRadius == first.config.windowRadius, m.config.windowStep == first.config.windowStep else {
                throw X3Error(.invalidArgument, "ensemble member \(i) uses windows of radius \(m.config.windowRadius) Å, "
                              + "step \(m.config.windowStep) Å, but member 0 radius \(first.config.windowRadius) Å, "
                              + "step \(first.config.windowStep) Å; the members must share their windows")
            }
        }
        self.members = members
        spreadScale = [Double](repeating: 1, count: first.config.targets.count)
        for i in self.members.indices.dropFirst() { self.members[i].card = nil }
    }

    /// The ensemble with its spreads multiplied by `scale` (one finite factor > 0 per
    /// target) instead of the current factors, fitted by `calibration` (nil: not known);
    /// throws `invalidArgument` otherwise, or for a single model (it has no spread to scale).
    public func scalingSpread(to scale: [Double], calibration: SpreadCalibration? = nil) throws -> ModelEnsemble {
        guard count > 1 else { throw X3Error(.invalidArgument, "a single model has no spread to scale") }
        guard scale.count == config.targets.count, scale.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw X3Error(.invalidArgument, "spread scale \(scale): give one finite factor > 0 for each of the "
                          + "\(config.targets.count) targets")
        }
        var e = self
        e.spreadScale = scale
        e.spreadCalibration = calibration
        return e
    }

    /// The ensemble calibrated on held-out structures (none of them seen by any member),
    /// given per structure and target its label, the prediction and the standard
    /// deviation this ensemble reported ([structure][target]). Each target's new factor
    /// is the current one times `rule`'s fit to z = (label − prediction) / σ (by default
    /// √(mean z²), after which mean z² = 1 on these structures), and `spreadCalibration`
    /// is `rule`. Throws `invalidArgument` for fewer than 2 structures, mismatched sizes, a
    /// σ that is not finite and > 0, or labels all predicted exactly (no scale fits).
    public func calibrated(actual: [[Double]], predicted: [[Double]], spread: [[Double]],
                           rule: SpreadCalibration = .likelihood) throws -> ModelEnsemble {
        let n = actual.count, T = config.targets.count
        guard n >= 2, predicted.count == n, spread.count == n,
              zip(zip(actual, predicted), spread).allSatisfy({ $0.0.count == T && $0.1.count == T && $1.count == T }) else {
            throw X3Error(.invalidArgument, "calibration needs labels, predictions and spreads of the \(T) targets for "
                          + "at least 2 structures")
        }
        let factors = try (0..<T).map { t -> Double in
            let z = try (0..<n).map { i -> Double in
                guard spread[i][t].isFinite, spread[i][t] > 0 else {
                    throw X3Error(.invalidArgument, "structure \(i): spread \(spread[i][t]) of \(config.targets[t]) "
                                  + "is not finite and > 0")
                }
                return (actual[i][t] - predicted[i][t]) / spread[i][t]
            }
            return spreadScale[t] * rule.factor(z)
        }
        return try scalingSpread(to: factors, calibration: rule)
    }

    public var count: Int { members.count }
    /// The first member's configuration: targets, windows and units hold for all.
    public var config: ModelConfig { members[0].config }
    /// What the ensemble is for (the first member's card).
    public var card: ModelCard? {
        get { members[0].card }
        set { members[0].card = newValue }
    }
}
