import X3Core

/// A table of labels read from CSV: one id column and numeric target columns.
///
/// CSV: RFC 4180 (commas, double-quoted fields with "" escapes), a header row, UTF-8.
/// An empty label field means "not measured": that row is left out and listed in
/// `unlabelled` (and a dataset reports it as skipped). Errors name the file, the line and
/// the column: a missing id, a duplicate id, a non-numeric or non-finite label, a target column that does not exist (the message lists
/// the columns that do), an empty file.
public struct LabelTable: Sendable {
    public let source: String
    public let idColumn: String
    public let targets: [String]
    public let ids: [String]
    /// values[row * targets.count + t]
    public let values: [Double]
    /// Rows left out because a target field is empty (a missing label), with the reason.
    public let unlabelled: [(id: String, reason: String)]

    public var count: Int { ids.count }
    public func value(_ row: Int, _ target: Int) -> Double { values[row * targets.count + target] }

    /// Reads `path`. `idColumn` nil means the first column.
    public static func read(path: String, idColumn: String? = nil, targets: [String]) throws -> LabelTable {
        let text = String(decoding: try FileIO.readBytes(path: path), as: UTF8.self)
        return try parse(text, source: path, idColumn: idColumn, targets: targets)
    }

    public static func parse(_ text: String, source: String, idColumn: String? = nil, targets: [String]) throws -> LabelTable {
        let rows = try CSV.rows(text, source: source)
        guard let header = rows.first, !header.fields.isEmpty, header.fields != [""] else {
            throw X3Error.input(.parse, source: source, line: 0, "the file is empty (expected a header row)")
        }
        let columns = header.fields.map { $0.trimmingSpaces }
        let idName = idColumn ?? columns[0]
        guard let idIndex = columns.firstIndex(of: idName) else {
            throw X3Error.input(.invalidArgument, source: source, line: header.line, field: idName,
                                "no such column; the columns are \(columns.joined(separator: ", "))")
        }
        guard !targets.isEmpty else { throw X3Error(.invalidArgument, "\(source): no target column was chosen") }
        var targetIndex: [Int] = []
        for t in targets {
            guard let i = columns.firstIndex(of: t) else {
                throw X3Error.input(.invalidArgument, source: source, line: header.line, field: t,
                                    "no such target column; the columns are \(columns.joined(separator: ", "))")
            }
            targetIndex.append(i)
        }
        var ids: [String] = [], values: [Double] = [], seen: [String: Int] = [:]
        var unlabelled: [(id: String, reason: String)] = []
        for row in rows.dropFirst() {
            if row.fields.count == 1 && row.fields[0].trimmingSpaces.isEmpty { continue }  // blank line
            guard row.fields.count == columns.count else {
                throw X3Error.input(.parse, source: source, line: row.line,
                                    "\(row.fields.count) fields where the header has \(columns.count)")
            }
            let id = row.fields[idIndex].trimmingSpaces
            guard !id.isEmpty else { throw X3Error.input(.parse, source: source, line: row.line, field: idName, "empty id") }
            if let first = seen[id] {
                throw X3Error.input(.parse, source: source, line: row.line, field: idName,
                                    "duplicate id '\(id)' (first on line \(first))")
            }
            seen[id] = row.line
            var rowValues: [Double] = [], empty: String?
            for (t, i) in zip(targets, targetIndex) {
                let cell = row.fields[i].trimmingSpaces
                if cell.isEmpty { empty = empty ?? t; continue }
                guard let v = Double(cell), v.isFinite else {
                    throw X3Error.input(.parse, source: source, line: row.line, field: t, "'\(cell)' is not a number (id '\(id)')")
                }
                rowValues.append(v)
            }
            if let empty {
                unlabelled.append((id, "\(source):\(row.line): no value in column '\(empty)'"))
                continue
            }
            values += rowValues
            ids.append(id)
        }
        guard !ids.isEmpty || !unlabelled.isEmpty else {
            throw X3Error.input(.parse, source: source, line: 0, "no data rows after the header")
        }
        guard !ids.isEmpty else {
            throw X3Error.input(.parse, source: source, line: 0, "no row has a value in every target column (\(targets.joined(separator: ", ")))")
        }
        return LabelTable(source: source, idColumn: idName, targets: targets, ids: ids, values: values, unlabelled: unlabelled)
    }
}

/// Minimal RFC 4180 CSV splitting with line numbers.
enum CSV {
    struct Row { var fields: [String]; var line: Int }

    static func rows(_ text: String, source: String) throws -> [Row] {
        var rows: [Row] = [], fields: [String] = [], field: [UInt8] = []
        var line = 1, rowLine = 1, quoted = false, i = 0
        let b = Array(text.utf8)
        func endField() { fields.append(String(decoding: field, as: UTF8.self)); field = [] }
        while i < b.count {
            let c = b[i]
            if quoted {
                if c == UInt8(ascii: "\"") {
                    if i + 1 < b.count && b[i + 1] == UInt8(ascii: "\"") { field.append(c); i += 1 } else { quoted = false }
                } else {
                    if c == 10 { line += 1 }
                    field.append(c)
                }
            } else if c == UInt8(ascii: "\"") && field.isEmpty {
                quoted = true
            } else if c == UInt8(ascii: ",") {
                endField()
            } else if c == 10 || c == 13 {
                if c == 13 && i + 1 < b.count && b[i + 1] == 10 { i += 1 }
                endField()
                rows.append(Row(fields: fields, line: rowLine))
                fields = []
                line += 1
                rowLine = line
            } else {
                field.append(c)
            }
            i += 1
        }
        if quoted { throw X3Error.input(.parse, source: source, line: rowLine, "a quoted field is not closed") }
        if !field.isEmpty || !fields.isEmpty { endField(); rows.append(Row(fields: fields, line: rowLine)) }
        return rows
    }
}


/// A CSV file as text fields: its header and rows (RFC 4180), for files that are not
/// label tables (such as a training run's split.csv).
public struct CSVTable: Sendable {
    public let columns: [String]
    public let rows: [[String]]

    public static func read(path: String) throws -> CSVTable {
        let text = String(decoding: try FileIO.readBytes(path: path), as: UTF8.self)
        let rows = try CSV.rows(text, source: path)
        guard let header = rows.first else { throw X3Error.input(.parse, source: path, line: 0, "the file is empty") }
        var body: [[String]] = []
        for r in rows.dropFirst() where !(r.fields.count == 1 && r.fields[0].trimmingSpaces.isEmpty) {
            guard r.fields.count == header.fields.count else {
                throw X3Error.input(.parse, source: path, line: r.line, "\(r.fields.count) fields where the header has \(header.fields.count)")
            }
            body.append(r.fields.map { $0.trimmingSpaces })
        }
        return CSVTable(columns: header.fields.map { $0.trimmingSpaces }, rows: body)
    }
}

/// A labelled dataset: structures from a folder of CIFs (`DIR/cif/<id>.cif`, or
/// `DIR/<id>.cif`) matched by id to a label table (`DIR/labels.csv` by default).
/// Structures that fail to load, and labels without a CIF, are skipped and reported in
/// `skipped` with the reason — never silently.
public struct LabelledDataset: Sendable {
    public let labels: LabelTable
    public let ids: [String]
    public let structures: [Structure]
    /// Row of each structure in `labels`.
    public let rows: [Int]
    public let skipped: [(id: String, reason: String)]

    public static func load(directory: String, labels labelPath: String? = nil, idColumn: String? = nil,
                            targets: [String], limit: Int? = nil,
                            progress: ((Int, Int) -> Void)? = nil) throws -> LabelledDataset {
        let cifDir = FileIO.isDirectory(directory + "/cif") ? directory + "/cif" : directory
        guard FileIO.isDirectory(cifDir) else { throw X3Error(.io, "\(directory): not a directory") }
        let files = Set(try FileIO.list(directory: cifDir, suffix: ".cif"))
        guard !files.isEmpty else { throw X3Error(.io, "\(cifDir): no .cif files") }
        let table = try LabelTable.read(path: labelPath ?? directory + "/labels.csv", idColumn: idColumn, targets: targets)
        var ids: [String] = [], structures: [Structure] = [], rows: [Int] = [], skipped: [(String, String)] = table.unlabelled
        let wanted = limit.map { min($0, table.count) } ?? table.count
        for (row, id) in table.ids.enumerated() {
            if ids.count >= wanted { break }
            progress?(row + 1, table.count)
            guard files.contains(id + ".cif") else { skipped.append((id, "no file \(cifDir)/\(id).cif")); continue }
            do {
                let s = try CIFReader.read(path: "\(cifDir)/\(id).cif")
                guard s.count > 0 else { skipped.append((id, "the CIF has no atoms")); continue }
                ids.append(id); structures.append(s); rows.append(row)
            } catch let e as X3Error {
                skipped.append((id, e.message))
            }
        }
        guard !structures.isEmpty else {
            throw X3Error(.invalidArgument, "\(directory): none of the \(table.count) labelled structures could be loaded"
                          + (skipped.first.map { " (first: \($0.0): \($0.1))" } ?? ""))
        }
        return LabelledDataset(labels: table, ids: ids, structures: structures, rows: rows, skipped: skipped)
    }

    /// Label of structure i for target t.
    public func label(_ i: Int, _ t: Int) -> Double { labels.value(rows[i], t) }
}
