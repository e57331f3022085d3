import X3Core

/// What a model is for, stored in its file (the `card` metadata key, JSON text) and printed
/// by `x3mat info MODEL`: a description, each target's unit, conditions and strong end,
/// the training data (source, size, licence) and the metrics on held-out structures.
///
/// JSON form (every key required unless marked optional; unknown keys are an error):
///
///     {"description": "...",
///      "targets": [{"name": "ar_uptake_mol_kg", "unit": "mol/kg",
///                   "conditions": "Ar, 87 K, 1 atm (GCMC)", "strong": "high",
///                   "test": {"mae": 0.9, "rmse": 1.2, "r2": 0.86}}],         // optional
///      "training_data": {"source": "...", "licence": "...", "structures": 190,
///                        "training": 152, "test": 38},
///      "command": "x3mat train ..."}                                          // optional
///
/// The held-out set is named by its key, `test` (structures that chose neither weights
/// nor epoch) or `validation` (those that chose the epoch): one of the two in
/// `training_data`, and the same one in every target's metrics.
/// Targets are listed in the order of the model's outputs and carry its target names.
/// `strong` says which end of a target's contributions is strong: "high" (uptake) or "low"
/// (a band gap, when small gaps are sought).
public struct ModelCard: Equatable, Sendable {
    public struct Target: Equatable, Sendable {
        public var name: String
        public var unit: String
        public var conditions: String
        /// "high" or "low".
        public var strong: String
        /// Metrics on the held-out set in the target's unit (MAE, RMSE) and R²; nil when not
        /// measured.
        public var mae: Double?, rmse: Double?, r2: Double?

        public init(name: String, unit: String, conditions: String, strong: String) {
            self.name = name; self.unit = unit; self.conditions = conditions; self.strong = strong
        }
    }

    public var description: String
    public var targets: [Target]
    /// Where the training data come from, and their licence.
    public var dataSource: String, dataLicence: String
    /// Structures in the data set, in its training set and in the held-out set the
    /// metrics were measured on.
    public var structures: Int, training: Int, heldOut: Int
    /// Which set is held out: "test" or "validation" (`heldOutSets`).
    public var heldOutSet: String
    /// The command that trained the model (optional, "" when unknown).
    public var command: String

    public init(description: String, targets: [Target], dataSource: String, dataLicence: String,
                structures: Int, training: Int, heldOut: Int, heldOutSet: String, command: String = "") {
        self.description = description; self.targets = targets
        self.dataSource = dataSource; self.dataLicence = dataLicence
        self.structures = structures; self.training = training; self.heldOut = heldOut; self.heldOutSet = heldOutSet
        self.command = command
    }

    public var json: JSONValue {
        let t: [JSONValue] = targets.map { t in
            var items: [(String, JSONValue)] = [("name", .string(t.name)), ("unit", .string(t.unit)),
                                                ("conditions", .string(t.conditions)), ("strong", .string(t.strong))]
            if let mae = t.mae, let rmse = t.rmse, let r2 = t.r2 {
                items.append((heldOutSet, .object([("mae", .number(mae)), ("rmse", .number(rmse)), ("r2", .number(r2))])))
            }
            return .object(items)
        }
        var items: [(String, JSONValue)] = [
            ("description", .string(description)), ("targets", .array(t)),
            ("training_data", .object([("source", .string(dataSource)), ("licence", .string(dataLicence)),
                                       ("structures", .number(Double(structures))),
                                       ("training", .number(Double(training))),
                                       (heldOutSet, .number(Double(heldOut)))])),
        ]
        if !command.isEmpty { items.append(("command", .string(command))) }
        return .object(items)
    }

    /// A card from its JSON form, checked against the model's target names (`targets`, in
    /// order). Errors name `source` and the key.
    public init(json: JSONValue, targets names: [String], source: String) throws {
        func fail(_ what: String) -> X3Error { X3Error(.parse, "\(source): model card: \(what)") }
        func object(_ v: JSONValue?, _ key: String, allowed: Set<String>) throws -> JSONValue {
            guard let v, let items = v.object else { throw fail("'\(key)' must be a JSON object") }
            if let unknown = items.first(where: { !allowed.contains($0.0) }) { throw fail("unknown key '\(unknown.0)' in '\(key)'") }
            return v
        }
        func text(_ v: JSONValue, _ key: String, optional: Bool = false) throws -> String {
            guard let x = v[key] else {
                if optional { return "" }
                throw fail("'\(key)' is missing")
            }
            guard let s = x.string else { throw fail("'\(key)' must be a string") }
            return s
        }
        func count(_ v: JSONValue, _ key: String) throws -> Int {
            guard let x = v[key] else { throw fail("'training_data.\(key)' is missing") }
            do { return try x.integer(key: "training_data.\(key)", what: "model card key", source: source) }
            catch { throw fail("'training_data.\(key)' must be a non-negative whole number") }
        }
        let root = try object(json, "card", allowed: ["description", "targets", "training_data", "command"])
        description = try text(root, "description")
        command = try text(root, "command", optional: true)
        let data = try object(root["training_data"], "training_data",
                              allowed: Set(["source", "licence", "structures", "training"] + Self.heldOutSets))
        dataSource = try text(data, "source")
        dataLicence = try text(data, "licence")
        let named = Self.heldOutSets.filter { data[$0] != nil }
        guard named.count == 1 else {
            throw fail("'training_data' must give the held-out structures as exactly one of "
                       + Self.heldOutSets.map { "'\($0)'" }.joined(separator: " or "))
        }
        let set = named[0]
        heldOutSet = set
        structures = try count(data, "structures"); training = try count(data, "training"); heldOut = try count(data, set)
        guard structures >= 0, training >= 0, heldOut >= 0, training + heldOut <= structures else {
            throw fail("training_data: training (\(training)) + \(set) (\(heldOut)) exceed structures (\(structures))")
        }
        guard let list = root["targets"]?.array else { throw fail("'targets' must be an array") }
        guard list.map({ $0["name"]?.string ?? "" }) == names else {
            throw fail("'targets' names \(list.map { $0["name"]?.string ?? "?" }) differ from the model's targets \(names)")
        }
        targets = try list.map { v in
            let t = try object(v, "targets[]", allowed: Set(["name", "unit", "conditions", "strong"] + Self.heldOutSets))
            var target = Target(name: try text(t, "name"), unit: try text(t, "unit"), conditions: try text(t, "conditions"),
                                strong: try text(t, "strong"))
            guard ModelCard.strongEnds.contains(target.strong) else {
                throw fail("target '\(target.name)': 'strong' is '\(target.strong)'; use high or low")
            }
            if let other = Self.heldOutSets.first(where: { $0 != set && t[$0] != nil }) {
                throw fail("target '\(target.name)': metrics on '\(other)', but 'training_data' holds out '\(set)'")
            }
            if let m = t[set] {
                let metrics = try object(m, set, allowed: ["mae", "rmse", "r2"])
                func number(_ k: String) throws -> Double {
                    guard let d = metrics[k]?.number, d.isFinite else { throw fail("target '\(target.name)': \(set) '\(k)' must be a number") }
                    return d
                }
                target.mae = try number("mae"); target.rmse = try number("rmse"); target.r2 = try number("r2")
            }
            return target
        }
    }

    public static let strongEnds = ["high", "low"]
    /// The names a card may give its held-out set.
    public static let heldOutSets = ["test", "validation"]

    /// The card as readable text, one item per line.
    public var summary: String {
        var lines = [description]
        for t in targets {
            var line = "target \(t.name) (\(t.unit)): \(t.conditions); strong end: \(t.strong)"
            if let mae = t.mae, let rmse = t.rmse, let r2 = t.r2 {
                line += "; \(heldOutSet) MAE \(formatFixed(mae, 3)), RMSE \(formatFixed(rmse, 3)), R² \(formatFixed(r2, 3))"
            }
            lines.append(line)
        }
        lines.append("training data: \(dataSource) (\(dataLicence)); \(structures) structures, "
                     + "\(training) training, \(heldOut) \(heldOutSet)")
        if !command.isEmpty { lines.append("trained with: \(command)") }
        return lines.joined(separator: "\n")
    }
}
