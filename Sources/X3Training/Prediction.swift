import X3Core
import X3Network
import X3Symmetry
import X3Windows

/// A model's prediction for one structure: the window contributions and their mean.
public struct StructurePrediction: Sendable {
    public let id: String
    public let windows: Windows
    /// contributions[w * targets + t], in the target's units.
    public let contributions: [Double]
    /// The property per target: the mean of the contributions over all windows.
    public let property: [Double]
    public let targets: [String]
    /// The symmetry used and the orbits of the window grid: one window per orbit was
    /// evaluated, and its contribution given to every window of the orbit.
    public let symmetry: CrystalSymmetry
    public let orbits: WindowOrbits

    public func contribution(_ w: Int, _ t: Int) -> Double { contributions[w * targets.count + t] }

    /// Per window: the representative of its orbit (the window that was evaluated).
    public var representatives: [Int] { orbits.orbitOf.map { orbits.representatives[Int($0)] } }
}

public enum Predictor {
    /// Per-window contributions [w × targets] (target units) of several structures'
    /// windows, evaluated in slices that cross structure boundaries (so small structures
    /// still keep every thread busy) of about `slice` windows. `subsets[i]`, if given,
    /// picks the windows of structure i to evaluate. `progress(done, total)` counts windows.
    public static func contributions(_ model: EquiformerModel<Float>, _ windows: [Windows], subsets: [[Int]]? = nil,
                                     threads: Int = X3Threads.count, slice: Int = 2048,
                                     progress: ((Int, Int) -> Void)? = nil) -> [[Double]] {
        let lists = subsets ?? windows.map { Array(0..<$0.count) }
        let total = lists.reduce(0) { $0 + $1.count }
        let T = model.config.targets.count
        var out = lists.map { [Double](repeating: 0, count: $0.count * T) }
        var s = 0, done = 0
        while s < windows.count {
            var ws: [GraphBatch.Window] = [], owner: [(Int, Int)] = []
            while s < windows.count && (ws.isEmpty || ws.count + lists[s].count <= slice) {
                for (k, c) in lists[s].enumerated() { ws.append(GraphBatch.Window(windows[s], c)); owner.append((s, k)) }
                s += 1
            }
            let c = model.contributions(ws, threads: threads)
            for (w, (i, k)) in owner.enumerated() { for t in 0..<T { out[i][k * T + t] = c[w * T + t] } }
            done += ws.count
            progress?(done, total)
        }
        return out
    }

    /// Predictions for structures (ids name them in outputs), with this model's window
    /// radius and step. With symmetry (the default) the windows lie on each structure's
    /// symmetry-adapted grid and one window per orbit is evaluated (`WindowOrbits`);
    /// `progress(done, total)` counts evaluated windows.
    public static func predict(_ model: EquiformerModel<Float>, structures: [Structure], ids: [String],
                               symmetry: SymmetryOptions = SymmetryOptions(), threads: Int = X3Threads.count,
                               progress: ((Int, Int) -> Void)? = nil) throws -> [StructurePrediction] {
        precondition(structures.count == ids.count)
        try requireBLAS()
        var windows: [Windows] = [], symmetries: [CrystalSymmetry] = [], orbits: [WindowOrbits] = []
        for (s, id) in zip(structures, ids) {
            do {
                let (sym, o) = try symmetry.orbits(s, step: model.config.windowStep)
                windows.append(try WindowSampler.sample(s, radius: model.config.windowRadius, grid: o.grid, threads: threads))
                symmetries.append(sym)
                orbits.append(o)
            } catch let e as X3Error { throw X3Error(e.status, "\(id): \(e.message)") }
        }
        let c = contributions(model, windows, subsets: orbits.map(\.representatives), threads: threads, progress: progress)
        let T = model.config.targets.count
        return (0..<structures.count).map { i in
            let all = orbits[i].expand(c[i], width: T)
            var p = [Double](repeating: 0, count: T)
            for w in 0..<windows[i].count { for t in 0..<T { p[t] += all[w * T + t] } }
            return StructurePrediction(id: ids[i], windows: windows[i], contributions: all,
                                       property: p.map { $0 / Double(max(1, windows[i].count)) },
                                       targets: model.config.targets, symmetry: symmetries[i], orbits: orbits[i])
        }
    }

    // MARK: files

    /// Parity data: one row per structure with the true and the predicted value of each
    /// target (columns `<target>_true`, `<target>_predicted`).
    public static func parityCSV(ids: [String], targets: [String], actual: [[Double]], predicted: [[Double]]) -> String {
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

    /// One row per structure: id, windows, then each target's prediction.
    public static func propertiesCSV(_ ps: [StructurePrediction]) -> String {
        guard let first = ps.first else { return "id,windows\n" }
        var lines = [(["id", "windows"] + first.targets).joined(separator: ",")]
        for p in ps { lines.append(([csvField(p.id), String(p.windows.count)] + p.property.map { "\($0)" }).joined(separator: ",")) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One row per window: id, window index, grid index (i, j, k; C order, k fastest),
    /// fractional and Cartesian (Å) centre, atoms in the window, then each target's
    /// contribution.
    public static func contributionsCSV(_ ps: [StructurePrediction]) -> String {
        guard let first = ps.first else { return "" }
        var lines = [(["id", "window", "i", "j", "k", "fx", "fy", "fz", "x", "y", "z", "atoms"] + first.targets)
            .joined(separator: ",")]
        for p in ps {
            let n = p.windows.grid.map { [$0.n1, $0.n2, $0.n3] } ?? [p.windows.count, 1, 1]
            for w in 0..<p.windows.count {
                let f = p.windows.fractionalCentres[w], c = p.windows.cartesianCentre(w)
                var row = [csvField(p.id), String(w), String(w / (n[1] * n[2])), String((w / n[2]) % n[1]), String(w % n[2])]
                row += [f.x, f.y, f.z, c.x, c.y, c.z].map { formatFixed($0, 6) }
                row.append(String(p.windows.atomCount(w)))
                row += (0..<p.targets.count).map { "\(p.contribution(w, $0))" }
                lines.append(row.joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Predictions as JSON: per structure its id, window count and property per target,
    /// and with `contributions` the per-window centres (Å) and contributions.
    public static func json(_ ps: [StructurePrediction], model: String, contributions: Bool) -> JSONValue {
        .object([
            ("model", .string(model)),
            ("structures", .array(ps.map { p in
                var items: [(String, JSONValue)] = [
                    ("id", .string(p.id)), ("windows", .number(Double(p.windows.count))),
                    ("property", .object(zip(p.targets, p.property).map { ($0, finite($1)) })),
                ]
                if contributions {
                    items.append(("window_centres", .array((0..<p.windows.count).map { w in
                        let c = p.windows.cartesianCentre(w)
                        return .array([.number(c.x), .number(c.y), .number(c.z)])
                    })))
                    items.append(("contributions", .object(p.targets.enumerated().map { t, name in
                        (name, .array((0..<p.windows.count).map { finite(p.contribution($0, t)) }))
                    })))
                }
                return .object(items)
            })),
        ])
    }
}
