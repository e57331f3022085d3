// libFuzzer entry point for the C API (built only by scripts/fuzz.sh: `swift build
// --sanitize=fuzzer` with X3MAT_FUZZ=1). The target is chosen by X3MAT_FUZZ_TARGET:
//
//   cif      the bytes as CIF text → x3_structure_parse_cif, then every accessor and, for
//            small structures, windows with radius and step taken from the structure
//   arrays   the bytes as a cell (9 doubles), radius and step (2 doubles), then up to
//            32 atoms (3 doubles + 1 byte each) → x3_structure_from_arrays, x3_windows_sample and
//            x3_windows_at
//   model    the bytes as a model file → x3_model_load (through a file, as users load)
//   config   the bytes as configuration JSON → x3_model_create (models of more than two
//            million parameters are only validated: building one is legitimately slow)
//
// Each input must end in an error status or a result, never a trap, a hang or a large
// allocation; libFuzzer reports crashes, timeouts (-timeout) and memory (-rss_limit_mb).
// It reaches the library through the C API only, as a C program would. scripts/fuzz.sh
// links it with lld and checks that the library's coverage counters made it into the
// binary (about 24,000; some builds keep only this file's) before fuzzing.
#if canImport(Glibc)
import Glibc
#endif
import X3CAPI

enum FuzzTarget: String {
    case cif, arrays, model, config

    static let current: FuzzTarget = {
        let name = getenv("X3MAT_FUZZ_TARGET").map { String(cString: $0) } ?? "cif"
        guard let t = FuzzTarget(rawValue: name) else {
            print("X3MAT_FUZZ_TARGET='\(name)': use cif, arrays, model or config")
            exit(2)
        }
        return t
    }()
}

/// A scratch file per fuzzing process for the model target.
let scratchPath = "/tmp/x3mat-fuzz-\(getpid()).safetensors"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size > 0 && data != nil ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    switch FuzzTarget.current {
    case .cif: fuzzCIF(bytes)
    case .arrays: fuzzArrays(bytes)
    case .model: fuzzModel(bytes)
    case .config: fuzzConfig(bytes)
    }
    return 0
}

/// A C string of the bytes up to the first NUL.
func withCString<R>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) -> R) -> R {
    var z = bytes.map { CChar(bitPattern: $0) }
    z.append(0)
    return z.withUnsafeBufferPointer { body($0.baseAddress!) }
}

func fuzzCIF(_ bytes: [UInt8]) {
    var s: OpaquePointer? = nil
    guard withCString(bytes, { x3_structure_parse_cif($0, nil, &s) }) == 0, let s else { return }
    defer { x3_structure_free(s) }
    exerciseStructure(s)
    var n: Int64 = 0
    _ = x3_structure_atom_count(s, &n)
    // Windows on the structure itself, kept small so one input stays well under a second.
    if n > 0 && n <= 200 {
        var w: OpaquePointer? = nil
        if x3_windows_sample(s, 3.0, 5.0, 200, &w) == 0 { exerciseWindows(w); x3_windows_free(w) }
    }
}

func exerciseStructure(_ s: OpaquePointer) {
    var n: Int64 = 0
    guard x3_structure_atom_count(s, &n) == 0, n >= 0 else { return }
    var cell = [Double](repeating: 0, count: 9), par = [Double](repeating: 0, count: 6)
    var v = 0.0
    _ = x3_structure_cell(s, &cell)
    _ = x3_structure_cell_parameters(s, &par)
    _ = x3_structure_volume(s, &v)
    _ = x3_structure_density(s, &v)
    var pos = [Double](repeating: 0, count: Int(3 * n))
    var z = [Int32](repeating: 0, count: Int(n))
    var occ = [Double](repeating: 0, count: Int(n))
    _ = x3_structure_positions(s, 1, &pos, 3 * n)
    _ = x3_structure_atomic_numbers(s, &z, n)
    _ = x3_structure_occupancies(s, &occ, n)
    var len: Int64 = 0
    var text = [CChar](repeating: 0, count: 4096)
    _ = x3_structure_formula(s, &text, Int64(text.count), &len)
    _ = x3_structure_name(s, &text, Int64(text.count), &len)
    var warnings: Int64 = 0
    if x3_structure_warning_count(s, &warnings) == 0 {
        for i in 0..<min(warnings, 4) { _ = x3_structure_warning(s, i, &text, Int64(text.count), &len) }
    }
}

func exerciseWindows(_ w: OpaquePointer?) {
    var count: Int64 = 0, total: Int64 = 0
    guard x3_windows_count(w, &count) == 0, x3_windows_total_atoms(w, &total) == 0 else { return }
    var offsets = [Int64](repeating: 0, count: Int(count + 1))
    _ = x3_windows_offsets(w, &offsets, count + 1)
    var centres = [Double](repeating: 0, count: Int(3 * count))
    _ = x3_windows_centres(w, 0, &centres, 3 * count)
    var z = [Int32](repeating: 0, count: Int(total)), src = [Int32](repeating: 0, count: Int(total))
    var pos = [Double](repeating: 0, count: Int(3 * total)), img = [Int32](repeating: 0, count: Int(3 * total))
    _ = x3_windows_atoms(w, -1, &z, &pos, &src, &img, total)
}

/// Reads little-endian values off the front of the input.
struct ByteReader {
    var bytes: ArraySlice<UInt8>
    mutating func double() -> Double? {
        guard bytes.count >= 8 else { return nil }
        var bits: UInt64 = 0
        for (k, b) in bytes.prefix(8).enumerated() { bits |= UInt64(b) << (8 * UInt64(k)) }
        bytes = bytes.dropFirst(8)
        return Double(bitPattern: bits)
    }
    mutating func byte() -> UInt8? {
        guard let b = bytes.first else { return nil }
        bytes = bytes.dropFirst()
        return b
    }
}

func fuzzArrays(_ bytes: [UInt8]) {
    var r = ByteReader(bytes: bytes[...])
    var cell = [Double]()
    for _ in 0..<9 { guard let d = r.double() else { return }; cell.append(d) }
    guard let radius = r.double(), let step = r.double() else { return }
    var positions = [Double](), numbers = [Int32]()
    while positions.count < 3 * 32, let x = r.double(), let y = r.double(), let zz = r.double(), let e = r.byte() {
        positions += [x, y, zz]
        numbers.append(Int32(e))
    }
    var s: OpaquePointer? = nil
    let n = Int64(numbers.count)
    guard x3_structure_from_arrays(cell, n, positions, Int32(numbers.count % 2), numbers, &s) == 0, let s else { return }
    defer { x3_structure_free(s) }
    exerciseStructure(s)
    // Gathering is linear in the atom images visited (for a sheared cell up to 100 times
    // the atoms found), up to the library's caps; keep each input's work under a second
    // (with AddressSanitizer) with at most 32 atoms, 64 windows of ~100 atoms each.
    var volume = 0.0
    _ = x3_structure_volume(s, &volume)
    let perWindow = Double(n) / volume * 4 / 3 * Double.pi * radius * radius * radius
    guard perWindow.isFinite, perWindow < 100 else { return }
    var w: OpaquePointer? = nil
    if x3_windows_sample(s, radius, step, 64, &w) == 0 { exerciseWindows(w); x3_windows_free(w) }
    // The atoms' own positions as centres (a GCMC code's request).
    if x3_windows_at(s, radius, n, positions, 1, &w) == 0 { exerciseWindows(w); x3_windows_free(w) }
}

func fuzzModel(_ bytes: [UInt8]) {
    guard let f = fopen(scratchPath, "wb") else { return }
    _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
    fclose(f)
    var m: OpaquePointer? = nil
    if x3_model_load(scratchPath, &m) == 0 {
        var p: Int64 = 0, t: Int64 = 0
        _ = x3_model_sizes(m, &p, &t)
        x3_model_free(m)
    }
}

func fuzzConfig(_ bytes: [UInt8]) {
    // Reading and validating is what is fuzzed; building a valid large model takes time
    // in proportion to its size, so one of more than two million parameters is only read
    // and validated (by x3_model_parameter_count).
    var count: Int64 = 0
    if withCString(bytes, { x3_model_parameter_count($0, &count) }) == 0 && count > 2_000_000 { return }
    var m: OpaquePointer? = nil
    if withCString(bytes, { x3_model_create($0, &m) }) == 0 {
        var len: Int64 = 0
        var out = [CChar](repeating: 0, count: 8192)
        _ = x3_model_config(m, &out, Int64(out.count), &len)
        x3_model_free(m)
    }
}
