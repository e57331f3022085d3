import X3Core

/// Model files: safetensors (an 8-byte little-endian header length, a JSON header, then
/// the tensors' little-endian bytes), readable by Python's `safetensors` and NumPy. The
/// header's `__metadata__` holds `format` = "x3mat-model", `format_version` = "1", the
/// library version, `config` (the JSON of `ModelConfig`) and `checksum` ("crc32:" and 8 hex
/// digits: the CRC-32 of zlib and Python's `zlib.crc32` over all tensor bytes, verified on
/// load; files written before it existed have none), and, when the model has one, `card`
/// (the JSON of `ModelCard`, checked on load); every parameter tensor is stored as
/// F32 under its name. Files are written atomically.
///
/// An ensemble of k ≥ 2 models (`ModelEnsemble`) is one file of `format_version` "2": the
/// metadata also holds `members` (k, as text), `member_configs` (a JSON array of the k
/// configurations; `config` is the first's, checked on load) and, once the ensemble is
/// calibrated, `spread_scale` (`ModelEnsemble.spreadScale` as a JSON array) and, when the
/// rule that fitted it is known, `spread_calibration` ("likelihood" or "coverage",
/// `ModelEnsemble.spreadCalibration`; files written before it existed have none); the card is
/// the ensemble's, and member i's tensors are stored under "member{i}." and the
/// parameter's name. A single model is always written as version 1.
public enum ModelFile {
    public static let format = "x3mat-model", formatVersion = "1", ensembleFormatVersion = "2"

    /// "crc32:" and the 8 lowercase hex digits of the CRC-32 (zlib's) of the tensor bytes.
    public static func tensorChecksum(_ data: ArraySlice<UInt8>) -> String {
        let h = String(CRC32.checksum(data), radix: 16)
        return "crc32:" + String(repeating: "0", count: 8 - h.count) + h
    }
    static let maxHeader = 100 << 20
    /// Most members an ensemble file may declare.
    public static let maxMembers = 1024

    /// Extra F32 tensors stored beside the parameters (a training checkpoint keeps its
    /// optimizer moments this way), flat, under names that are not parameter names.
    public typealias Extras = [(name: String, values: [Float])]

    public static func bytes(_ model: EquiformerModel<Float>) -> [UInt8] {
        bytes(model, format: format, metadata: [], extras: [])
    }

    /// An ensemble's file image: version 1 for one member, else version 2 (with
    /// `spread_scale` when the ensemble is calibrated, and `spread_calibration` when its
    /// rule is known).
    public static func bytes(_ ensemble: ModelEnsemble) -> [UInt8] {
        var metadata: [(String, String)] = []
        if ensemble.spreadScale.contains(where: { $0 != 1 }) {
            metadata.append(("spread_scale", JSONValue.array(ensemble.spreadScale.map { .number($0) }).text))
            if let rule = ensemble.spreadCalibration { metadata.append(("spread_calibration", rule.rawValue)) }
        }
        return bytes(members: ensemble.members, format: format, metadata: metadata, extras: [])
    }

    /// A safetensors image of `model` with format `format`, extra metadata strings and
    /// extra tensors.
    public static func bytes(_ model: EquiformerModel<Float>, format: String, metadata: [(String, String)],
                             extras: Extras) -> [UInt8] {
        bytes(members: [model], format: format, metadata: metadata, extras: extras)
    }

    static func bytes(members: [EquiformerModel<Float>], format: String, metadata: [(String, String)],
                      extras: Extras) -> [UInt8] {
        let model = members[0], ensemble = members.count > 1
        var data: [UInt8] = []
        func append(_ values: [Float]) {
            for v in values {
                let bits = v.bitPattern
                for b in 0..<4 { data.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt32(b)))) }
            }
        }
        data.reserveCapacity(4 * (members.reduce(0) { $0 + $1.params.values.count } + extras.reduce(0) { $0 + $1.values.count }))
        for m in members { append(m.params.values) }
        for e in extras { append(e.values) }
        var meta: [(String, JSONValue)] = [
            ("format", .string(format)), ("format_version", .string(ensemble ? ensembleFormatVersion : formatVersion)),
            ("libx3mat", .string(X3Version.string.description)), ("config", .string(model.config.json.text)),
        ]
        if ensemble {
            meta += [("members", .string(String(members.count))),
                     ("member_configs", .string(JSONValue.array(members.map(\.config.json)).text))]
        }
        meta.append(("checksum", .string(tensorChecksum(data[...]))))
        if let card = model.card { meta.append(("card", .string(card.json.text))) }
        meta += metadata.map { ($0.0, .string($0.1)) }
        var header: [(String, JSONValue)] = [("__metadata__", .object(meta))]
        var offset = 0
        func describe(_ name: String, _ shape: [Int], _ count: Int) {
            let n = count * 4
            header.append((name, .object([("dtype", .string("F32")), ("shape", .array(shape.map { .number(Double($0)) })),
                                          ("data_offsets", .array([.number(Double(offset)), .number(Double(offset + n))]))])))
            offset += n
        }
        for (i, m) in members.enumerated() {
            for e in m.params.entries { describe(tensorName(e.name, member: i, of: members.count), e.shape, e.count) }
        }
        for e in extras { describe(e.name, [e.values.count], e.values.count) }
        var h = Array(JSONValue.object(header).text.utf8)
        while h.count % 8 != 0 { h.append(32) }
        var out: [UInt8] = []
        out.reserveCapacity(8 + h.count + offset)
        let len = UInt64(h.count)
        for b in 0..<8 { out.append(UInt8(truncatingIfNeeded: len >> (8 * UInt64(b)))) }
        out += h
        out += data
        return out
    }

    /// Member i's name for a parameter tensor: the name itself when there is one member.
    static func tensorName(_ name: String, member i: Int, of count: Int) -> String {
        count == 1 ? name : "member\(i).\(name)"
    }

    public static func save(_ model: EquiformerModel<Float>, path: String) throws {
        try FileIO.writeAtomically(path: path, bytes: bytes(model))
    }

    public static func save(_ ensemble: ModelEnsemble, path: String) throws {
        try FileIO.writeAtomically(path: path, bytes: bytes(ensemble))
    }

    /// One model; a file holding an ensemble is refused (`loadEnsemble` reads it).
    public static func load(path: String) throws -> EquiformerModel<Float> {
        try load(bytes: try FileIO.readBytes(path: path), source: path)
    }

    /// A model file, of one model or an ensemble.
    public static func loadEnsemble(path: String) throws -> ModelEnsemble {
        try loadEnsemble(bytes: try FileIO.readBytes(path: path), source: path)
    }

    public static func loadEnsemble(bytes: [UInt8], source: String) throws -> ModelEnsemble {
        let c = try read(bytes: bytes, source: source, formats: [format, checkpointFormat])
        do {
            let ensemble = try ModelEnsemble(members: c.members)
            guard let text = c.metadata["spread_scale"] else { return ensemble }
            let scale = try JSONValue.parse(text, source: source + " (spread_scale)").array?.map { v -> Double in
                guard let x = v.number else { throw X3Error(.parse, "'spread_scale' holds \(v.text), not a number") }
                return x
            }
            guard let scale else { throw X3Error(.parse, "'spread_scale' is not a JSON array of numbers") }
            let rule = try c.metadata["spread_calibration"].map { word -> SpreadCalibration in
                guard let rule = SpreadCalibration(rawValue: word) else {
                    throw X3Error(.parse, "'spread_calibration' is \"\(word)\", not one of "
                                  + SpreadCalibration.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))
                }
                return rule
            }
            return try ensemble.scalingSpread(to: scale, calibration: rule)
        } catch let e as X3Error {
            throw X3Error(.parse, "\(source): \(e.message)")
        }
    }

    /// Reads a model, checking everything: sizes, the header, the format, the
    /// configuration, and that the tensors are exactly the parameters that configuration
    /// defines (names, dtype, shapes), with finite values. A training checkpoint is read
    /// as the model it holds.
    public static func load(bytes: [UInt8], source: String) throws -> EquiformerModel<Float> {
        let c = try read(bytes: bytes, source: source, formats: [format, checkpointFormat])
        guard c.members.count == 1 else {
            throw X3Error(.unsupported, "\(source): holds an ensemble of \(c.members.count) models where one model is expected")
        }
        return c.members[0]
    }

    /// The format of training checkpoints (a model plus the optimizer and training state, `Trainer`).
    public static let checkpointFormat = "x3mat-checkpoint"

    /// What `read` returns: the model (or an ensemble's members, in order), the file's
    /// format and metadata, and the extra tensors.
    public struct Contents {
        public var members: [EquiformerModel<Float>]
        public var model: EquiformerModel<Float> { members[0] }
        public var format: String
        public var metadata: [String: String]
        public var extras: [String: [Float]]
    }

    /// The extra tensors a file of `format` holds, each with as many elements as the model
    /// has parameters: a checkpoint's AdamW moments, and the weights' moving average when
    /// its metadata says `weights_average` = "1".
    public static func extraTensors(_ format: String, metadata: JSONValue? = nil) -> [String] {
        guard format == checkpointFormat else { return [] }
        return ["optimizer.m", "optimizer.v"] + (metadata?["weights_average"]?.string == "1" ? [averageTensor] : [])
    }
    /// A checkpoint's moving average of the weights (`extraTensors`).
    public static let averageTensor = "weights.average"

    /// Reads a file of one of `formats`, with exactly the tensors its format needs (any
    /// other tensor is an error).
    public static func read(bytes: [UInt8], source: String, formats: [String]) throws -> Contents {
        func fail(_ what: String) -> X3Error { X3Error(.parse, "\(source): \(what)") }
        guard bytes.count >= 8 else { throw fail("\(bytes.count) bytes: too short for a safetensors file (truncated?)") }
        var n: UInt64 = 0
        for b in 0..<8 { n |= UInt64(bytes[b]) << (8 * UInt64(b)) }
        guard n <= UInt64(maxHeader) else { throw fail("header length \(n) bytes is implausible (not a safetensors file?)") }
        guard 8 + Int(n) <= bytes.count else {
            throw fail("the header says \(n) bytes but the file has \(bytes.count - 8) after the length (truncated?)")
        }
        let header = try JSONValue.parse(Array(bytes[8..<(8 + Int(n))]), source: source + " (header)")
        guard let meta = header["__metadata__"], let fileFormat = meta["format"]?.string, formats.contains(fileFormat) else {
            let what = formats.contains(format) ? "model" : "training checkpoint (format \"\(checkpointFormat)\")"
            let found = header["__metadata__"]?["format"]?.string.map { "format \"\($0)\"" } ?? "no format"
            throw fail("not an x3mat \(what) (its safetensors metadata has \(found))")
        }
        let version = meta["format_version"]?.string
        guard version == formatVersion || (version == ensembleFormatVersion && fileFormat == format) else {
            throw X3Error(.unsupported, "\(source): model format version \(version ?? "?"); this libx3mat reads \(formatVersion) "
                          + "and \(ensembleFormatVersion) (ensembles)")
        }
        guard let configText = meta["config"]?.string else { throw fail("the metadata has no 'config'") }
        var configs = [try ModelConfig(json: try JSONValue.parse(configText, source: source + " (config)"), source: source + " (config)")]
        if version == ensembleFormatVersion {
            guard let text = meta["member_configs"]?.string,
                  let items = try JSONValue.parse(text, source: source + " (member_configs)").array else {
                throw fail("an ensemble's metadata needs 'member_configs', a JSON array of configurations")
            }
            guard items.count >= 2, items.count <= maxMembers, meta["members"]?.string == String(items.count) else {
                throw fail("'members' (\(meta["members"]?.string ?? "missing")) and the \(items.count) configurations of "
                    + "'member_configs' disagree, or are not from 2 to \(maxMembers)")
            }
            let first = configs[0]
            configs = try items.enumerated().map { i, item in
                try ModelConfig(json: item, source: source + " (member \(i)'s config)")
            }
            guard configs[0] == first else {
                throw fail("'config' is not member 0's configuration in 'member_configs' (the file was edited or is corrupted)")
            }
        }
        // The tensors the configurations define, laid out without allocating them, so a
        // small file that declares a huge configuration is refused before any allocation.
        let layouts = try configs.map { try EquiformerModel<Float>(config: $0, allocating: false).params }
        let dataStart = 8 + Int(n), dataCount = bytes.count - dataStart
        let extras = extraTensors(fileFormat, metadata: meta)
        var needed = 0, overflow = false
        for l in layouts {
            let (b, o1) = l.count.multipliedReportingOverflow(by: 4 * (1 + extras.count))
            let (sum, o2) = needed.addingReportingOverflow(b)
            needed = sum
            overflow = overflow || o1 || o2
        }
        guard !overflow, needed == dataCount else {
            let optimizer = extras.isEmpty ? "" : " and \(extras.count) training-state tensors of that size"
            let size = overflow ? "more than 2⁶³" : "\(needed)"
            let what = layouts.count == 1 ? "the configuration defines \(layouts[0].count) parameters"
                : "the \(layouts.count) members' configurations define \(layouts.map { String($0.count) }.joined(separator: " + ")) parameters"
            throw fail("\(what)\(optimizer), \(size) bytes, but the file "
                + "holds \(dataCount) bytes after the header (truncated, or file and configuration disagree)")
        }
        if let expected = meta["checksum"]?.string {
            let actual = tensorChecksum(bytes[dataStart...])
            guard expected == actual else {
                throw fail("the tensors' checksum is \(actual) but the file records \(expected) (corrupted)")
            }
        }
        // The file holds exactly these layouts and is at most FileIO.defaultMaxBytes long,
        // so the parameter cap is met: build the models without laying them out again.
        var members = try configs.map { try EquiformerModel<Float>(config: $0, allocating: true) }
        if let cardText = meta["card"]?.string {
            members[0].card = try ModelCard(json: try JSONValue.parse(cardText, source: source + " (card)"),
                                            targets: configs[0].targets, source: source)
        }
        var tensors: [(name: String, shape: [Int], count: Int)] = []
        for (i, m) in members.enumerated() {
            tensors += m.params.entries.map { (name: tensorName($0.name, member: i, of: members.count), shape: $0.shape, count: $0.count) }
        }
        tensors += extras.map { (name: $0, shape: [members[0].params.count], count: members[0].params.count) }
        let names = Set(tensors.map(\.name))
        for (k, _) in header.object! where k != "__metadata__" && !names.contains(k) {
            throw fail("tensor '\(k)' is not a parameter of this configuration (file and configuration disagree)")
        }
        /// A whole number in 0...2⁵³ from the header, else nil (never a trap on conversion).
        func index(_ v: JSONValue) -> Int? {
            guard let d = v.number, d >= 0, d <= 9_007_199_254_740_992, d == d.rounded() else { return nil }
            return Int(d)
        }
        var values: [String: [Float]] = [:]
        for e in tensors {
            guard let t = header[e.name] else { throw fail("tensor '\(e.name)' is missing") }
            guard t["dtype"]?.string == "F32" else { throw fail("tensor '\(e.name)': dtype \(t["dtype"]?.string ?? "?"), expected F32") }
            let shape = t["shape"]?.array?.map(index) ?? []
            guard shape == e.shape.map(Optional.some) else {
                throw fail("tensor '\(e.name)': shape \(t["shape"]?.text ?? "missing"), the configuration needs \(e.shape)")
            }
            guard let off = t["data_offsets"]?.array?.compactMap(index), off.count == 2,
                  off[1] >= off[0], off[1] - off[0] == 4 * e.count else {
                throw fail("tensor '\(e.name)': bad data_offsets \(t["data_offsets"]?.text ?? "(missing)")")
            }
            guard off[1] <= dataCount else {
                throw fail("tensor '\(e.name)' ends at byte \(off[1]) of the data, but the file holds \(dataCount) (truncated?)")
            }
            var v = [Float](repeating: 0, count: e.count)
            for i in 0..<e.count {
                var bits: UInt32 = 0
                let at = dataStart + off[0] + 4 * i
                for b in 0..<4 { bits |= UInt32(bytes[at + b]) << (8 * UInt32(b)) }
                v[i] = Float(bitPattern: bits)
                guard v[i].isFinite else { throw fail("tensor '\(e.name)' holds a non-finite value at \(i) (corrupted?)") }
            }
            values[e.name] = v
        }
        for m in members.indices {
            for e in members[m].params.entries {
                let v = values.removeValue(forKey: tensorName(e.name, member: m, of: members.count))!
                for i in 0..<e.count { members[m].params.values[e.offset + i] = v[i] }
            }
        }
        var metadata: [String: String] = [:]
        for (k, v) in meta.object ?? [] { if let s = v.string { metadata[k] = s } }
        return Contents(members: members, format: fileFormat, metadata: metadata, extras: values)
    }
}
