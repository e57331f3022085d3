#if canImport(Glibc)
import Glibc
#endif
import X3Core

/// CSV, JSON and XYZ exports of a site catalogue.
///
/// - `sites.csv`: one row per site, ranked: rank, hash, count (windows), structures,
///   example_structure, example_window (0-based), centre_x/y/z (Cartesian Å of the
///   example window's centre in its structure), natoms (example window, before removal),
///   formula (of those atoms), nearest_atom (Å from the centre to the example window's
///   nearest atom, empty for an empty window: large in a pore or cage, small on a
///   wall), then per target `<name>_mean`, `<name>_std`, `<name>_n`.
/// - `sites.json`: the options, the targets and the same rows, each with the example
///   window's atoms (element and position relative to the centre, Å).
/// - `sites/<rank>_<hash>.xyz`: the example window's atoms (all, before removal), one
///   XYZ frame centred on the window centre.
extension SiteCatalogue {
    public func csv(rankedBy rankBy: Int?, top: Int?, lowest: Bool = false, minCount: Int = 1) throws -> String {
        var head = "rank,hash,count,structures,example_structure,example_window,centre_x,centre_y,centre_z,natoms,formula,nearest_atom"
        for t in targets { head += ",\(csvField(t))_mean,\(csvField(t))_std,\(csvField(t))_n" }
        var lines = [head]
        for (r, s) in try ranked(by: rankBy, top: top, lowest: lowest, minCount: minCount).enumerated() {
            var row = "\(r + 1),\(s.hash),\(s.count),\(s.structureCount),\(csvField(s.exampleStructure)),\(s.exampleWindow),"
                + "\(fmt(s.exampleCentre.x)),\(fmt(s.exampleCentre.y)),\(fmt(s.exampleCentre.z)),"
                + "\(s.exampleAtomicNumbers.count),\(Elements.hillFormula(atomicNumbers: s.exampleAtomicNumbers)),"
                + (s.nearestAtomDistance.map(fmt) ?? "")
            for st in s.stats { row += ",\(st.n > 0 ? fmt(st.mean) : ""),\(st.n > 0 ? fmt(st.std) : ""),\(st.n)" }
            lines.append(row)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public func json(rankedBy rankBy: Int?, top: Int?, lowest: Bool = false, minCount: Int = 1) throws -> String {
        var out = "{\n  \"options\": {\"tolerance\": \(fmt(options.tolerance)), \"iterations\": \(options.iterations), "
            + "\"digest_size\": \(options.digestSize), \"removal\": {"
        out += options.removal.sorted { $0.key < $1.key }.map {
            "\(jsonString(Elements.all[$0.key - 1].symbol)): \(jsonString($0.value.rawValue))"
        }.joined(separator: ", ")
        out += "}},\n  \"targets\": [\(targets.map(jsonString).joined(separator: ", "))],\n"
        out += "  \"structures\": \(structureCount),\n  \"windows\": \(windowCount),\n  \"distinct_sites\": \(sites.count),\n"
        out += "  \"sites\": ["
        let rows = try ranked(by: rankBy, top: top, lowest: lowest, minCount: minCount)
        for (r, s) in rows.enumerated() {
            out += r == 0 ? "\n" : ",\n"
            out += "    {\"rank\": \(r + 1), \"hash\": \(jsonString(s.hash)), \"count\": \(s.count), "
                + "\"structures\": \(s.structureCount),\n     \"example\": {\"structure\": \(jsonString(s.exampleStructure)), "
                + "\"window\": \(s.exampleWindow), \"centre\": \(vec(s.exampleCentre)), "
                + "\"centre_frac\": \(vec(s.exampleFractionalCentre)), \"formula\": \(jsonString(Elements.hillFormula(atomicNumbers: s.exampleAtomicNumbers))), "
                + "\"nearest_atom\": \(s.nearestAtomDistance.map(fmt) ?? "null"),\n"
                + "       \"atoms\": ["
            out += (0..<s.exampleAtomicNumbers.count).map { i in
                "[\(jsonString(Elements.all[Int(s.exampleAtomicNumbers[i]) - 1].symbol)), \(fmt(s.examplePositions[3 * i])), "
                    + "\(fmt(s.examplePositions[3 * i + 1])), \(fmt(s.examplePositions[3 * i + 2]))]"
            }.joined(separator: ", ")
            out += "]},\n     \"stats\": {"
            out += zip(targets, s.stats).map { t, st in
                "\(jsonString(t)): {\"mean\": \(st.n > 0 ? fmt(st.mean) : "null"), \"std\": \(st.n > 0 ? fmt(st.std) : "null"), \"n\": \(st.n)}"
            }.joined(separator: ", ")
            out += "}}"
        }
        out += rows.isEmpty ? "]\n}\n" : "\n  ]\n}\n"
        return out
    }

    /// XYZ text of a site's example window.
    public func xyz(_ s: Site, rank: Int) -> String {
        var out = "\(s.exampleAtomicNumbers.count)\nsite rank=\(rank) hash=\(s.hash) count=\(s.count) "
            + "structure=\(s.exampleStructure.map { $0 == " " ? "_" : $0 }.reduce("") { $0 + String($1) }) "
            + "window=\(s.exampleWindow) centre=\"\(fmt(s.exampleCentre.x)) \(fmt(s.exampleCentre.y)) \(fmt(s.exampleCentre.z))\"\n"
        for i in 0..<s.exampleAtomicNumbers.count {
            out += "\(Elements.all[Int(s.exampleAtomicNumbers[i]) - 1].symbol) \(formatFixed(s.examplePositions[3 * i], 6)) "
                + "\(formatFixed(s.examplePositions[3 * i + 1], 6)) \(formatFixed(s.examplePositions[3 * i + 2], 6))\n"
        }
        return out
    }

    /// Writes sites.csv, sites.json and sites/<rank>_<hash>.xyz into `directory`
    /// (created if missing), each file atomically.
    public func write(directory: String, rankedBy rankBy: Int?, top: Int?, lowest: Bool = false, minCount: Int = 1) throws {
        try FileIO.makeDirectory(directory)
        try FileIO.makeDirectory(directory + "/sites")
        // Example files of an earlier catalogue in this folder would mix with these.
        for name in (try? FileIO.list(directory: directory + "/sites", suffix: ".xyz")) ?? [] where Self.isExampleFile(name) {
            unlink(directory + "/sites/" + name)
        }
        try FileIO.writeAtomically(path: directory + "/sites.csv", text: csv(rankedBy: rankBy, top: top, lowest: lowest, minCount: minCount))
        try FileIO.writeAtomically(path: directory + "/sites.json", text: json(rankedBy: rankBy, top: top, lowest: lowest, minCount: minCount))
        for (r, s) in try ranked(by: rankBy, top: top, lowest: lowest, minCount: minCount).enumerated() {
            let name = "\(directory)/sites/\(zeroPadded(r + 1, 4))_\(s.hash).xyz"
            try FileIO.writeAtomically(path: name, text: xyz(s, rank: r + 1))
        }
    }
}

extension SiteCatalogue {
    /// Whether a file name is one `write` gives an example: `NNNN_<hash>.xyz`.
    static func isExampleFile(_ name: String) -> Bool {
        let parts = name.dropLast(4).split(separator: "_", maxSplits: 1)
        return name.hasSuffix(".xyz") && parts.count == 2 && parts[0].count >= 4 && parts[0].allSatisfy(\.isNumber)
            && !parts[1].isEmpty && parts[1].allSatisfy(\.isHexDigit)
    }

    /// Removes what `write` writes into `directory` (sites.csv, sites.json, the example
    /// files) and the folders when they are left empty.
    public static func removeWritten(directory: String) {
        unlink(directory + "/sites.csv")
        unlink(directory + "/sites.json")
        for name in (try? FileIO.list(directory: directory + "/sites", suffix: ".xyz")) ?? [] where isExampleFile(name) {
            unlink(directory + "/sites/" + name)
        }
        rmdir(directory + "/sites")
        rmdir(directory)
    }
}

func zeroPadded(_ n: Int, _ width: Int) -> String {
    let s = String(n)
    return String(repeating: "0", count: max(0, width - s.count)) + s
}

func fmt(_ x: Double) -> String {
    // Shortest round-trip text of a double (Swift's description), fine for CSV and JSON.
    x == x.rounded() && abs(x) < 1e15 ? formatFixed(x, 1) : "\(x)"
}

func vec(_ v: Vec3) -> String { "[\(fmt(v.x)), \(fmt(v.y)), \(fmt(v.z))]" }

func jsonString(_ s: String) -> String { JSONValue.quote(s) }
