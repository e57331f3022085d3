import X3Core

/// Predictions as tables, whole or a structure at a time (for outputs written as they
/// are computed).
///
/// - properties CSV: one row per structure: id, windows, then each target's prediction;
/// - contributions CSV: one row per window: id, window index, grid index (i, j, k; C
///   order, k fastest), fractional and Cartesian (Å) centre, atoms in the window, then
///   each target's contribution;
/// - JSON: per structure its id, window count and property per target, and optionally
///   the per-window centres (Å) and contributions.
///
/// An ensemble's predictions (`StructurePrediction.propertyStd` set) add each target's
/// uncertainty, the members' standard deviation: columns "TARGET_std" after the targets'
/// in both CSVs, and "property_std" and "contributions_std" in JSON.
///
/// Numbers are written with Swift's shortest round-trip text, so a value read back is
/// the value computed.
public enum PredictionTables {
    /// The column names of the targets' values and, with `spread`, of their uncertainties.
    public static func targetColumns(_ targets: [String], spread: Bool) -> [String] {
        targets.map(csvField) + (spread ? targets.map { csvField($0 + "_std") } : [])
    }

    /// A prediction's values, then (for an ensemble) their uncertainties, as CSV fields.
    public static func valueFields(_ values: [Double], _ spread: [Double]?) -> [String] {
        values.map { "\($0)" } + (spread ?? []).map { "\($0)" }
    }

    public static func propertiesHeader(targets: [String], spread: Bool = false) -> String {
        (["id", "windows"] + targetColumns(targets, spread: spread)).joined(separator: ",")
    }

    public static func propertiesRow(_ p: StructurePrediction) -> String {
        ([csvField(p.id), String(p.windows.count)] + valueFields(p.property, p.propertyStd)).joined(separator: ",")
    }

    public static func propertiesCSV(_ ps: [StructurePrediction], targets: [String], spread: Bool = false) -> String {
        ([propertiesHeader(targets: targets, spread: spread)] + ps.map(propertiesRow)).joined(separator: "\n") + "\n"
    }

    public static func contributionsHeader(targets: [String], spread: Bool = false) -> String {
        (["id", "window", "i", "j", "k", "fx", "fy", "fz", "x", "y", "z", "atoms"] + targetColumns(targets, spread: spread))
            .joined(separator: ",")
    }

    public static func contributionsRows(_ p: StructurePrediction) -> [String] {
        let n = p.windows.grid.map { [$0.n1, $0.n2, $0.n3] } ?? [p.windows.count, 1, 1]
        return (0..<p.windows.count).map { w in
            let f = p.windows.fractionalCentres[w], c = p.windows.cartesianCentre(w)
            var row = [csvField(p.id), String(w), String(w / (n[1] * n[2])), String((w / n[2]) % n[1]), String(w % n[2])]
            row += [f.x, f.y, f.z, c.x, c.y, c.z].map { formatFixed($0, 6) }
            row.append(String(p.windows.atomCount(w)))
            row += (0..<p.targets.count).map { "\(p.contribution(w, $0))" }
            if p.contributionStd != nil { row += (0..<p.targets.count).map { "\(p.contributionSpread(w, $0)!)" } }
            return row.joined(separator: ",")
        }
    }

    public static func contributionsCSV(_ ps: [StructurePrediction], targets: [String], spread: Bool = false) -> String {
        ([contributionsHeader(targets: targets, spread: spread)] + ps.flatMap(contributionsRows)).joined(separator: "\n") + "\n"
    }

    public static func json(_ ps: [StructurePrediction], model: String, contributions: Bool) -> JSONValue {
        .object([
            ("model", .string(model)),
            ("structures", .array(ps.map { p in
                var items: [(String, JSONValue)] = [
                    ("id", .string(p.id)), ("windows", .number(Double(p.windows.count))),
                    ("property", .object(zip(p.targets, p.property).map { ($0, .finite($1)) })),
                ]
                if let std = p.propertyStd {
                    items.append(("property_std", .object(zip(p.targets, std).map { ($0, .finite($1)) })))
                }
                if contributions {
                    items.append(("window_centres", .array((0..<p.windows.count).map { w in
                        let c = p.windows.cartesianCentre(w)
                        return .array([.number(c.x), .number(c.y), .number(c.z)])
                    })))
                    items.append(("contributions", .object(p.targets.enumerated().map { t, name in
                        (name, .array((0..<p.windows.count).map { .finite(p.contribution($0, t)) }))
                    })))
                    if p.contributionStd != nil {
                        items.append(("contributions_std", .object(p.targets.enumerated().map { t, name in
                            (name, .array((0..<p.windows.count).map { .finite(p.contributionSpread($0, t)!) }))
                        })))
                    }
                }
                return .object(items)
            })),
        ])
    }
}
