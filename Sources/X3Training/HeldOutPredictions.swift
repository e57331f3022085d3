/// The final predictions on one held-out set ("validation" or "test"), from all windows:
/// one model's, or each member's of a snapshot ensemble, with their mean as the
/// ensemble's prediction and their sample standard deviation (n − 1) as its spread.
struct HeldOutPredictions {
    var name: String
    /// Dataset indices of the structures.
    var set: [Int]
    /// [member][structure][target], target units.
    var members: [[[Double]]]

    /// The prediction [structure][target]: the members' mean.
    var mean: [[Double]] {
        let n = Double(members.count)
        return members[0].indices.map { i in members[0][i].indices.map { t in members.reduce(0) { $0 + $1[i][t] } / n } }
    }

    /// The members' sample standard deviation [structure][target]; nil for one model.
    var spread: [[Double]]? {
        guard members.count > 1 else { return nil }
        let m = mean, n = Double(members.count)
        return m.indices.map { i in
            m[i].indices.map { t in (members.reduce(0) { $0 + ($1[i][t] - m[i][t]) * ($1[i][t] - m[i][t]) } / (n - 1)).squareRoot() }
        }
    }
}
