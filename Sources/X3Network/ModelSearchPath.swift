#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CX3Support
import X3Core

/// Shipped models by name: where `NAME.safetensors` is looked for.
///
/// Folders, in this order:
/// 1. each entry of `$X3MAT_MODEL_PATH` (separated by `:`);
/// 2. `models/` beside libx3mat.so (the Python package's data: the wheel carries the
///    library and the shipped models in one folder);
/// 3. `PREFIX/share/x3mat/models`, for a library or program installed in `PREFIX/lib`
///    (or a multiarch `PREFIX/lib/TRIPLET`) or `PREFIX/bin`;
/// 4. the `models/` folder of the source tree libx3mat was built from.
public enum ModelSearchPath {
    /// The models shipped in the repository's `models/` folder.
    public static let shippedNames = ["iza-ar-uptake", "qmof-band-gap", "coremof-co2-ch4"]
    public static let defaultName = "iza-ar-uptake"

    public static func folders() -> [String] {
        var out: [String] = []
        if let v = getenv("X3MAT_MODEL_PATH") { out += String(cString: v).split(separator: ":").map(String.init) }
        func add(_ folder: String) { if !out.contains(folder) { out.append(folder) } }
        if let library = libraryPath() { add(parent(library) + "/models") }
        for binary in [libraryPath(), executablePath()].compactMap({ $0 }) {
            var prefix = parent(parent(binary))
            // Debian's multiarch libdir: PREFIX/lib/x86_64-linux-gnu/libx3mat.so.0
            if prefix.hasSuffix("/lib") { prefix = parent(prefix) }
            add(prefix + "/share/x3mat/models")
        }
        out.append(parent(parent(parent(#filePath))) + "/models")
        return out
    }

    /// True when `spec` is a model name rather than a path: no `/`, no `.safetensors`
    /// suffix, and no file of that name in the working directory.
    public static func isName(_ spec: String) -> Bool {
        !spec.isEmpty && !spec.contains("/") && !spec.hasSuffix(".safetensors") && !FileIO.isFile(spec)
    }

    /// The file of a model given by path or by name.
    public static func resolve(_ spec: String) throws -> String {
        guard isName(spec) else { return spec }
        let searched = folders()
        for dir in searched where FileIO.isFile("\(dir)/\(spec).safetensors") { return "\(dir)/\(spec).safetensors" }
        throw X3Error(.io, "no model file '\(spec)' and no model of that name in \(searched.joined(separator: ", ")) "
                      + "(shipped models: \(shippedNames.joined(separator: ", ")); more folders with $X3MAT_MODEL_PATH)")
    }

    private static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The file this code was loaded from (libx3mat.so, or a program linking it statically).
    private static func libraryPath() -> String? {
        let path = String(cString: x3s_library_path())
        return path.hasPrefix("/") ? path : nil
    }

    private static func executablePath() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
