import X3Core

/// Models of the same property used together: a window's contribution is the mean of
/// the members' contributions and its uncertainty their spread (sample standard
/// deviation, with n − 1), and the same for the property. Members share the targets and
/// the windows (radius and step), so one set of windows serves them all; anything else
/// may differ (seed, training fold, architecture, target normalisation). One member is an
/// ordinary model, with no spread. `ModelFile` keeps an ensemble in one file.
public struct ModelEnsemble: Sendable {
    public private(set) var members: [EquiformerModel<Float>]

    /// A single model.
    public init(_ model: EquiformerModel<Float>) {
        members = [model]
    }

    /// Several models; throws `invalidArgument` when there are none or they disagree on
    /// targets, window radius or window step. The card is the first member's.
    public init(members: [EquiformerModel<Float>]) throws {
        guard let first = members.first else { throw X3Error(.invalidArgument, "an ensemble needs at least one model") }
        for (i, m) in members.enumerated().dropFirst() {
            guard m.config.targets == first.config.targets else {
                throw X3Error(.invalidArgument, "ensemble member \(i) predicts \(m.config.targets.joined(separator: ", ")) "
                              + "but member 0 predicts \(first.config.targets.joined(separator: ", "))")
            }
            guard m.config.windowRadius == first.config.windowRadius, m.config.windowStep == first.config.windowStep else {
                throw X3Error(.invalidArgument, "ensemble member \(i) uses windows of radius \(m.config.windowRadius) Å, "
                              + "step \(m.config.windowStep) Å, but member 0 radius \(first.config.windowRadius) Å, "
                              + "step \(first.config.windowStep) Å; the members must share their windows")
            }
        }
        self.members = members
        for i in self.members.indices.dropFirst() { self.members[i].card = nil }
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
