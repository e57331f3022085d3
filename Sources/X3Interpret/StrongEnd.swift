import X3Core
import X3Network

/// Which end of a target's contributions is "strong": `high` for uptakes (a site that
/// adsorbs more), `low` for band gaps (a site that conducts, i.e. lowers the gap).
public enum StrongEnd: String, Sendable, CaseIterable {
    case high, low

    /// The strong end a model card gives the targets `targets` (indices), high without a
    /// card; an error when the card gives them different ends.
    public init(card: ModelCard?, targets: [Int]) throws {
        guard let card else { self = .high; return }
        let ends = Set(targets.map { card.targets[$0].strong })
        guard ends.count == 1, let e = StrongEnd(rawValue: ends.first!) else {
            throw X3Error(.invalidArgument, "the model card gives its targets different strong ends; choose one")
        }
        self = e
    }
}
