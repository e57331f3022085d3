import X3Core

/// Parity data of labelled structures: one row per structure with the true and the
/// predicted value of each target (columns `<target>_true`, `<target>_predicted`).
public enum ParityTable {
    public static func csv(ids: [String], targets: [String], actual: [[Double]], predicted: [[Double]]) -> String {
        var header = ["id"]
        for t in targets { header += ["\(t)_true", "\(t)_predicted"] }
        var lines = [header.joined(separator: ",")]
        for (k, id) in ids.enumerated() {
            var f = [csvField(id)]
            for t in 0..<targets.count { f += ["\(actual[k][t])", "\(predicted[k][t])"] }
            lines.append(f.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
