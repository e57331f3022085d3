import X3Core
#if canImport(Glibc)
import Glibc
#endif

/// The CIF files named by command-line inputs, in order:
/// - a folder: its `*.cif` files (or those of its `cif/` folder), sorted by name;
/// - a CIF list (a file whose name does not end in `.cif`, e.g. `set.txt`): one path per
///   line, relative to the list's folder unless absolute; blank lines and lines starting
///   with `#` are skipped;
/// - a glob (`data/*/cif/*.cif`, quoted so the shell leaves it alone): the matching paths,
///   sorted; a glob that matches nothing is an error;
/// - anything else: a CIF path, read as given.
enum InputFiles {
    static func cifPaths(_ inputs: [String]) throws -> [String] {
        var out: [String] = []
        for p in inputs {
            if FileIO.isDirectory(p) {
                let dir = FileIO.isDirectory(p + "/cif") ? p + "/cif" : p
                let names = try FileIO.list(directory: dir, suffix: ".cif")
                guard !names.isEmpty else { throw X3Error(.io, "\(dir): no .cif files") }
                out += names.map { dir + "/" + $0 }
            } else if FileIO.isFile(p) && !p.lowercased().hasSuffix(".cif") {
                out += try list(p)
            } else if !FileIO.isFile(p) && p.contains(where: { "*?[".contains($0) }) {
                out += try glob(p)
            } else {
                out.append(p)
            }
        }
        return out
    }

    /// The paths of a CIF list file.
    static func list(_ path: String) throws -> [String] {
        let bytes = try FileIO.readBytes(path: path)
        let slash = path.lastIndex(of: "/")
        let base = slash.map { String(path[...$0]) } ?? ""
        var out: [String] = []
        for (n, raw) in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .enumerated() {
            let line = String(raw).trimmingSpaces
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard !line.contains("\0") else { throw X3Error(.parse, "\(path):\(n + 1): a NUL byte in a path") }
            out.append(line.hasPrefix("/") ? line : base + line)
        }
        guard !out.isEmpty else { throw X3Error(.io, "\(path): a CIF list with no paths") }
        return out
    }

    /// The paths a glob pattern matches, sorted.
    static func glob(_ pattern: String) throws -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        let rc = Glibc.glob(pattern, 0, nil, &g)
        guard rc == 0 else {
            throw X3Error(.io, rc == GLOB_NOMATCH ? "\(pattern): no file matches" : "\(pattern): glob failed (code \(rc))")
        }
        return (0..<Int(g.gl_pathc)).compactMap { g.gl_pathv[$0].map { String(cString: $0) } }.sorted()
    }

    /// The structure id of a CIF path: its file name without ".cif".
    static func id(_ path: String) -> String {
        let name = String(path.split(separator: "/").last ?? Substring(path))
        return name.lowercased().hasSuffix(".cif") ? String(name.dropLast(4)) : name
    }
}
