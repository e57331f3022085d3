import X3Core
import X3Network

/// The passes of a run's final evaluation that are done: one pass is one member (the best
/// model, or one snapshot) over one held-out set, on all windows. The trainer keeps them
/// in the run directory (`Trainer.finalProgressName`) after each pass, so a run stopped
/// during that evaluation, which on a large set takes hours, resumes at the next pass.
///
/// A pass is kept with the set's name, the member's index, the CRC-32 of its weights (the
/// IEEE 754 bits of each Float, little-endian) and the ids of the set's structures, and is
/// reused only when all four match; its predictions ([structure][target], target units)
/// are written as JSON numbers of 17 significant digits, so they read back bit for bit.
struct FinalEvaluationProgress {
    struct Pass: Equatable {
        var set: String
        var member: Int
        var weights: String
        var ids: [String]
        var predictions: [[Double]]
    }

    private(set) var passes: [Pass] = []

    init() {}

    /// The weights' checksum as a model file writes its tensors' (`ModelFile.tensorChecksum`).
    static func checksum(_ weights: [Float]) -> String {
        ModelFile.tensorChecksum(weights.map(\.bitPattern.littleEndian).withUnsafeBytes { Array($0) }[...])
    }

    /// The predictions of the pass with this set, member, weights and ids, if it is done.
    func predictions(set: String, member: Int, weights: String, ids: [String]) -> [[Double]]? {
        passes.first { $0.set == set && $0.member == member && $0.weights == weights && $0.ids == ids }?.predictions
    }

    mutating func add(_ pass: Pass) {
        passes.removeAll { $0.set == pass.set && $0.member == pass.member }
        passes.append(pass)
    }

    var json: JSONValue {
        .object([("passes", .array(passes.map { p in
            .object([("set", .string(p.set)), ("member", .number(Double(p.member))), ("weights", .string(p.weights)),
                     ("ids", .array(p.ids.map { .string($0) })),
                     ("predictions", .array(p.predictions.map { .array($0.map { .finite($0) }) }))])
        }))])
    }

    /// Throws `parse` for anything but what `json` writes, and for a prediction that is not
    /// a finite number.
    init(json: JSONValue, source: String) throws {
        func fail(_ what: String) -> X3Error { X3Error(.parse, "\(source): \(what)") }
        guard let list = json["passes"]?.array else { throw fail("'passes' is missing or not an array") }
        passes = try list.enumerated().map { k, p in
            guard let set = p["set"]?.string, let member = p["member"]?.number, member >= 0, member == member.rounded(),
                  let weights = p["weights"]?.string, let ids = p["ids"]?.array?.compactMap(\.string),
                  ids.count == p["ids"]?.array?.count, let rows = p["predictions"]?.array, rows.count == ids.count
            else { throw fail("pass \(k) lacks its set, member, weights, ids or one row of predictions per id") }
            let predictions = try rows.map { row -> [Double] in
                guard let values = row.array?.compactMap(\.number), values.count == row.array?.count else {
                    throw fail("pass \(k) holds a prediction that is not a finite number")
                }
                return values
            }
            return Pass(set: set, member: Int(member), weights: weights, ids: ids, predictions: predictions)
        }
    }

    /// The passes saved at `path`: none when there is no file, or when it cannot be read
    /// (its passes are then evaluated again).
    static func load(path: String) -> FinalEvaluationProgress {
        guard FileIO.isFile(path), let bytes = try? FileIO.readBytes(path: path),
              let json = try? JSONValue.parse(String(decoding: bytes, as: UTF8.self), source: path),
              let progress = try? FinalEvaluationProgress(json: json, source: path)
        else { return FinalEvaluationProgress() }
        return progress
    }

    func save(path: String) throws {
        try FileIO.writeAtomically(path: path, text: json.text + "\n")
    }
}
