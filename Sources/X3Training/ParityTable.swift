import X3Core

/// Parity data of labelled structures: one row per structure with the true and the
/// predicted value of each target (columns `<target>_true`, `<target>_predicted`), and
/// for an ensemble its uncertainty (`<target>_std`, the members' standard deviation).
public enum ParityTable {
    public static func csv(ids: [String], targets: [String], actual: [[Double]], predicted: [[Double]],
                           spread: [[Double]]? = nil) -> String {
        var header = ["id"]
        for t in targets { header += ["\(t)_true", "\(t)_predicted"] + (spread == nil ? [] : ["\(t)_std"]) }
        var lines = [header.joined(separator: ",")]
        for (k, id) in ids.enumerated() {
            var f = [csvField(id)]
            for t in 0..<targets.count {
                f += ["\(actual[k][t])", "\(predicted[k][t])"] + (spread.map { ["\($0[k][t])"] } ?? [])
            }
            lines.append(f.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The calibration of uncertainties: the share of structures whose true value lies
    /// within ±1 and ±2 standard deviations of the prediction (for a Gaussian error of
    /// that width, 68.3 % and 95.4 %).
    public static func calibration(actual: [Double], predicted: [Double], spread: [Double]) -> (one: Double, two: Double) {
        precondition(actual.count == predicted.count && actual.count == spread.count && !actual.isEmpty)
        let n = Double(actual.count)
        let z = zip(zip(actual, predicted), spread).map { abs($0.0 - $0.1) / $1 }
        return (Double(z.filter { $0 <= 1 }.count) / n, Double(z.filter { $0 <= 2 }.count) / n)
    }
}
