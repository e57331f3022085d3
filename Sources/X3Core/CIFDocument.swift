/// A CIF 1.1 document as data: blocks of tagged items and loops, every value with the
/// line it came from, so later errors can point at the file's line and field.
///
/// The grammar handled is what real databases write: `data_` blocks, `loop_`, tags,
/// unquoted values, single- and double-quoted values (a quote ends only before
/// whitespace, so `'O'Brien'` works), `;` text fields, `#` comments, `save_` frames
/// (skipped) and `global_`. Tags are matched case-insensitively, and a CIF 2 / mmCIF
/// style dot (`_atom_site.fract_x`) is read as an underscore.
public struct CIFValue: Sendable, Equatable {
    public var text: String
    /// 1-based line of the value's first character.
    public var line: Int
    /// True if the value was quoted or a text field (then `?` and `.` are literal).
    public var quoted: Bool
    /// `?` (unknown) or `.` (not applicable), unquoted.
    public var isNull: Bool { !quoted && (text == "?" || text == ".") }
}

public struct CIFLoop: Sendable {
    /// Normalised tags (lower case, `.` → `_`) in column order.
    public var tags: [String]
    public var rows: [[CIFValue]]
    /// Line of the `loop_` keyword.
    public var line: Int

    public func column(_ tag: String) -> Int? { tags.firstIndex(of: tag) }
}

public struct CIFBlock: Sendable {
    public var name: String
    /// Line of the `data_` keyword (0 for text before any data block).
    public var line: Int
    /// Non-loop items by normalised tag.
    public var items: [String: CIFValue] = [:]
    public var loops: [CIFLoop] = []

    /// The loop that holds `tag`, if any.
    public func loop(containing tag: String) -> CIFLoop? {
        loops.first { $0.tags.contains(tag) }
    }

    /// All values of `tag`, whether it is a single item or a loop column.
    public func values(of tag: String) -> [CIFValue]? {
        if let v = items[tag] { return [v] }
        if let l = loop(containing: tag), let c = l.column(tag) { return l.rows.map { $0[c] } }
        return nil
    }
}

public struct CIFDocument: Sendable {
    /// Where the text came from, for messages: a path or "<string>".
    public var source: String
    public var blocks: [CIFBlock]
    /// Tolerated irregularities, e.g. a stray value with no field name (IZA's ANO.cif
    /// has a lone `v` on line 3), as "source:line: what".
    public var warnings: [String] = []

    /// Normalises a tag for lookup: lower case, `.` read as `_`.
    public static func normalise(_ tag: String) -> String {
        String(tag.lowercased().map { $0 == "." ? "_" : $0 })
    }

    public init(text: String, source: String) throws {
        try self.init(bytes: Array(text.utf8), source: source)
    }

    public init(bytes: [UInt8], source: String) throws {
        self.source = source
        var lexer = CIFLexer(bytes: bytes, source: source)
        var blocks: [CIFBlock] = []
        var warnings: [String] = []
        var current: CIFBlock? = nil
        var pending: CIFToken? = nil

        func next() throws -> CIFToken? {
            if let p = pending { pending = nil; return p }
            return try lexer.next()
        }
        func error(_ line: Int, _ field: String = "", _ what: String) -> X3Error {
            X3Error.input(.parse, source: source, line: line, field: field, what)
        }
        func ensureBlock(_ line: Int) {
            if current == nil { current = CIFBlock(name: "", line: 0) }
        }

        while let tok = try next() {
            switch tok.kind {
            case .data(let name):
                if let b = current { blocks.append(b) }
                current = CIFBlock(name: name, line: tok.line)
            case .global:
                if let b = current { blocks.append(b) }
                current = CIFBlock(name: "global_", line: tok.line)
            case .save(let name):
                // Skip a save frame up to its closing `save_`.
                guard !name.isEmpty else { continue }
                while let t = try next() {
                    if case .save(let n) = t.kind, n.isEmpty { break }
                }
            case .stop:
                continue
            case .tag(let rawTag):
                ensureBlock(tok.line)
                let tag = CIFDocument.normalise(rawTag)
                guard let v = try next() else {
                    throw error(tok.line, rawTag, "the field has no value (file truncated?)")
                }
                guard case .value(let text, let quoted) = v.kind else {
                    throw error(tok.line, rawTag, "the field has no value; the next item starts at line \(v.line)")
                }
                if current!.items[tag] == nil {
                    current!.items[tag] = CIFValue(text: text, line: v.line, quoted: quoted)
                }
            case .loop:
                ensureBlock(tok.line)
                var tags: [String] = []
                var rawTags: [String] = []
                var values: [CIFValue] = []
                while let t = try next() {
                    if case .tag(let raw) = t.kind, values.isEmpty {
                        tags.append(CIFDocument.normalise(raw)); rawTags.append(raw)
                    } else if case .value(let text, let quoted) = t.kind {
                        guard !tags.isEmpty else {
                            throw error(tok.line, "", "loop_ has no field names before its first value")
                        }
                        values.append(CIFValue(text: text, line: t.line, quoted: quoted))
                    } else {
                        pending = t
                        break
                    }
                }
                guard !tags.isEmpty else { throw error(tok.line, "", "loop_ with no field names") }
                guard values.count % tags.count == 0 else {
                    let lastLine = values.last?.line ?? tok.line
                    throw error(lastLine, rawTags[0],
                        "the loop of \(tags.count) fields (\(rawTags.joined(separator: ", "))) "
                        + "ends with an incomplete row: \(values.count) values is not a multiple of "
                        + "\(tags.count) (file truncated, or a value with spaces not quoted?)")
                }
                var rows: [[CIFValue]] = []
                rows.reserveCapacity(values.count / tags.count)
                var i = 0
                while i < values.count { rows.append(Array(values[i..<(i + tags.count)])); i += tags.count }
                current!.loops.append(CIFLoop(tags: tags, rows: rows, line: tok.line))
            case .value(let text, _):
                warnings.append("\(source):\(tok.line): value '\(text.prefix(40))' has no field name before it; ignored")
            }
        }
        if let b = current { blocks.append(b) }
        self.blocks = blocks
        self.warnings = warnings
    }
}

enum CIFTokenKind: Equatable {
    case data(String), loop, global, save(String), stop, tag(String), value(String, quoted: Bool)
}

struct CIFToken {
    var kind: CIFTokenKind
    var line: Int
}

/// Splits CIF bytes into tokens, counting lines.
struct CIFLexer {
    let bytes: [UInt8]
    let source: String
    var i = 0
    var line = 1

    init(bytes: [UInt8], source: String) {
        self.bytes = bytes
        self.source = source
        // A UTF-8 byte-order mark is not content.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
    }

    private static let space: UInt8 = 32, tab: UInt8 = 9, cr: UInt8 = 13, lf: UInt8 = 10
    private static let hash = UInt8(ascii: "#"), semicolon = UInt8(ascii: ";")
    private static let squote = UInt8(ascii: "'"), dquote = UInt8(ascii: "\"")

    @inline(__always) private func isSpace(_ c: UInt8) -> Bool {
        c == CIFLexer.space || c == CIFLexer.tab || c == CIFLexer.cr || c == CIFLexer.lf
    }

    private var atLineStart: Bool { i == 0 || bytes[i - 1] == CIFLexer.lf || bytes[i - 1] == CIFLexer.cr }

    private func string(_ r: Range<Int>) -> String { String(decoding: bytes[r], as: UTF8.self) }

    mutating func next() throws -> CIFToken? {
        // whitespace and comments
        while i < bytes.count {
            let c = bytes[i]
            if c == CIFLexer.lf { line += 1; i += 1 }
            else if isSpace(c) { i += 1 }
            else if c == CIFLexer.hash {
                while i < bytes.count && bytes[i] != CIFLexer.lf { i += 1 }
            } else { break }
        }
        guard i < bytes.count else { return nil }
        let startLine = line
        let c = bytes[i]

        if c == CIFLexer.semicolon && atLineStart {
            // Text field: up to a line that starts with ';'.
            i += 1
            let start = i
            while i < bytes.count {
                if bytes[i] == CIFLexer.lf {
                    line += 1
                    if i + 1 < bytes.count && bytes[i + 1] == CIFLexer.semicolon {
                        let text = string(start..<i)
                        i += 2
                        return CIFToken(kind: .value(trimmingNewlines(text), quoted: true), line: startLine)
                    }
                }
                i += 1
            }
            throw X3Error.input(.parse, source: source, line: startLine,
                                "text field opened with ';' is never closed (file truncated?)")
        }

        if c == CIFLexer.squote || c == CIFLexer.dquote {
            // Quoted value: ends at the same quote followed by whitespace or end of input.
            let q = c
            i += 1
            let start = i
            while i < bytes.count {
                let b = bytes[i]
                if b == CIFLexer.lf || b == CIFLexer.cr {
                    throw X3Error.input(.parse, source: source, line: startLine,
                        "quoted value \(String(UnicodeScalar(q)))\(string(start..<i).prefix(40)) is not closed on its line")
                }
                if b == q && (i + 1 == bytes.count || isSpace(bytes[i + 1])) {
                    let text = string(start..<i)
                    i += 1
                    return CIFToken(kind: .value(text, quoted: true), line: startLine)
                }
                i += 1
            }
            throw X3Error.input(.parse, source: source, line: startLine,
                                "quoted value is not closed (file truncated?)")
        }

        let start = i
        while i < bytes.count && !isSpace(bytes[i]) { i += 1 }
        let word = string(start..<i)
        let lower = word.lowercased()
        if lower.hasPrefix("data_") {
            return CIFToken(kind: .data(String(word.dropFirst(5))), line: startLine)
        }
        if lower == "loop_" { return CIFToken(kind: .loop, line: startLine) }
        if lower == "global_" { return CIFToken(kind: .global, line: startLine) }
        if lower == "stop_" { return CIFToken(kind: .stop, line: startLine) }
        if lower.hasPrefix("save_") { return CIFToken(kind: .save(String(word.dropFirst(5))), line: startLine) }
        if c == UInt8(ascii: "_") { return CIFToken(kind: .tag(word), line: startLine) }
        return CIFToken(kind: .value(word, quoted: false), line: startLine)
    }

    private func trimmingNewlines(_ s: String) -> String {
        var sub = Substring(s)
        while let f = sub.first, f == "\n" || f == "\r" { sub = sub.dropFirst() }
        while let l = sub.last, l == "\n" || l == "\r" { sub = sub.dropLast() }
        return String(sub)
    }
}

/// Parses a CIF number: `0.1234`, `-.5`, `1e-3`, with an optional standard uncertainty
/// in parentheses (`0.1234(5)`, `12.5(12)`), which is dropped. Returns nil otherwise.
public func parseCIFNumber(_ text: String) -> Double? {
    var s = Substring(text)
    if s.last == ")", let open = s.lastIndex(of: "(") {
        let digits = s[s.index(after: open)..<s.index(before: s.endIndex)]
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        s = s[..<open]
    }
    guard !s.isEmpty, s.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }) else { return nil }
    guard let v = Double(s), v.isFinite else { return nil }
    return v
}
