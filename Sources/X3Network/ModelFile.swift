import X3Core

/// Model files: safetensors (an 8-byte little-endian header length, a JSON header, then
/// the tensors' little-endian bytes), readable by Python's `safetensors` and NumPy. The
/// header's `__metadata__` holds `format` = "x3mat-model", `format_version` = "1", the
/// library version, `config` (the JSON of `ModelConfig`) and `checksum` ("crc32:" and 8 hex
/// digits: the CRC-32 of zlib and Python's `zlib.crc32` over all tensor bytes, verified on
/// load; files written before it existed have none), and, when the model has one, `card`
/// (the JSON of `ModelCard`, checked on load); every parameter tensor is stored as
/// F32 under its name. Files are written atomically.
public enum ModelFile {
    public static let format = "x3mat-model", formatVersion = "1"

    /// "crc32:" and the 8 lowercase hex digits of the CRC-32 (zlib's) of the tensor bytes.
    static func tensorChecksum(_ data: ArraySlice<UInt8>) -> String {
        let h = String(CRC32.checksum(data), radix: 16)
        return "crc32:" + String(repeating: "0", count: 8 - h.count) + h
    }
    static let maxHeader = 100 << 20

    /// Extra F32 tensors stored beside the parameters (a training checkpoint keeps its
    /// optimizer moments this way), flat, under names that are not parameter names.
    public typealias Extras = [(name: String, values: [Float])]

    public static func bytes(_ model: EquiformerModel<Float>) -> [UInt8] {
        bytes(model, format: format, metadata: [], extras: [])
    }

    /// A safetensors image of `model` with format `format`, extra metadata strings and
    /// extra tensors.
    public static func bytes(_ model: EquiformerModel<Float>, format: String, metadata: [(String, String)],
                             extras: Extras) -> [UInt8] {
        var data: [UInt8] = []
        func append(_ values: [Float]) {
            for v in values {
                let bits = v.bitPattern
                for b in 0..<4 { data.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt32(b)))) }
            }
        }
        data.reserveCapacity(4 * (model.params.values.count + extras.reduce(0) { $0 + $1.values.count }))
        append(model.params.values)
        for e in extras { append(e.values) }
        var meta: [(String, JSONValue)] = [
            ("format", .string(format)), ("format_version", .string(formatVersion)),
            ("libx3mat", .string(X3Version.string.description)), ("config", .string(model.config.json.text)),
            ("checksum", .string(tensorChecksum(data[...]))),
        ]
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
        for e in model.params.entries { describe(e.name, e.shape, e.count) }
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

    public static func save(_ model: EquiformerModel<Float>, path: String) throws {
        try FileIO.writeAtomically(path: path, bytes: bytes(model))
    }

    public static func load(path: String) throws -> EquiformerModel<Float> {
        try load(bytes: try FileIO.readBytes(path: path), source: path)
    }

    /// Reads a model, checking everything: sizes, the header, the format, the
    /// configuration, and that the tensors are exactly the parameters that configuration
    /// defines (names, dtype, shapes), with finite values. A training checkpoint is read
    /// as the model it holds.
    public static func load(bytes: [UInt8], source: String) throws -> EquiformerModel<Float> {
        try read(bytes: bytes, source: source, formats: [format, checkpointFormat]).model
    }

    /// The format of training checkpoints (a model plus optimizer state, SPEC "Training").
    public static let checkpointFormat = "x3mat-checkpoint"

    /// What `read` returns: the model, the file's format and metadata, and the extra tensors.
    public struct Contents {
        public var model: EquiformerModel<Float>
        public var format: String
        public var metadata: [String: String]
        public var extras: [String: [Float]]
    }

    /// The extra tensors a file of `format` holds, each with as many elements as the model
    /// has parameters: a checkpoint's AdamW moments.
    public static func extraTensors(_ format: String) -> [String] {
        format == checkpointFormat ? ["optimizer.m", "optimizer.v"] : []
    }

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
        guard meta["format_version"]?.string == formatVersion else {
            throw X3Error(.unsupported, "\(source): model format version \(meta["format_version"]?.string ?? "?"); this libx3mat reads \(formatVersion)")
        }
        guard let configText = meta["config"]?.string else { throw fail("the metadata has no 'config'") }
        let config = try ModelConfig(json: try JSONValue.parse(configText, source: source + " (config)"), source: source + " (config)")
        // The tensors the configuration defines, laid out without allocating them, so a
        // small file that declares a huge configuration is refused before any allocation.
        let layout = try EquiformerModel<Float>(config: config, allocating: false).params
        let dataStart = 8 + Int(n), dataCount = bytes.count - dataStart
        let extras = extraTensors(fileFormat)
        let (needed, overflow) = (4 * layout.count).multipliedReportingOverflow(by: 1 + extras.count)
        guard !overflow, needed == dataCount else {
            let optimizer = extras.isEmpty ? "" : " and \(extras.count) optimizer tensors of that size"
            let size = overflow ? "more than 2⁶³" : "\(needed)"
            throw fail("the configuration defines \(layout.count) parameters\(optimizer), \(size) bytes, but the file "
                + "holds \(dataCount) bytes after the header (truncated, or file and configuration disagree)")
        }
        if let expected = meta["checksum"]?.string {
            let actual = tensorChecksum(bytes[dataStart...])
            guard expected == actual else {
                throw fail("the tensors' checksum is \(actual) but the file records \(expected) (corrupted)")
            }
        }
        // The file holds exactly this layout and is at most FileIO.defaultMaxBytes long, so
        // the parameter cap is met: build the model without laying it out again.
        var model = try EquiformerModel<Float>(config: config, allocating: true)
        if let cardText = meta["card"]?.string {
            model.card = try ModelCard(json: try JSONValue.parse(cardText, source: source + " (card)"),
                                       targets: config.targets, source: source)
        }
        var tensors = model.params.entries.map { (name: $0.name, shape: $0.shape, count: $0.count) }
        tensors += extras.map { (name: $0, shape: [model.params.count], count: model.params.count) }
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
        for e in model.params.entries {
            let v = values.removeValue(forKey: e.name)!
            for i in 0..<e.count { model.params.values[e.offset + i] = v[i] }
        }
        var metadata: [String: String] = [:]
        for (k, v) in meta.object ?? [] { if let s = v.string { metadata[k] = s } }
        return Contents(model: model, format: fileFormat, metadata: metadata, extras: values)
    }
}
