#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small file helpers on the C library, so the core needs no Foundation.
public enum FileIO {
    /// Reads a whole file. Throws `.io` naming the path and the system's reason.
    public static func readBytes(path: String) throws -> [UInt8] {
        guard let f = fopen(path, "rb") else {
            throw X3Error(.io, "\(path): cannot open: \(String(cString: strerror(errno)))")
        }
        defer { fclose(f) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
            if n > 0 { out.append(contentsOf: chunk[0..<n]) }
            if n < chunk.count {
                if ferror(f) != 0 {
                    throw X3Error(.io, "\(path): read error: \(String(cString: strerror(errno)))")
                }
                break
            }
        }
        return out
    }

    /// Writes `bytes` to `path` atomically: into `path.tmp-PID` first, then renamed over
    /// `path`, so a reader never sees a half-written file and an interrupted write leaves
    /// the old file intact.
    public static func writeAtomically(path: String, bytes: [UInt8]) throws {
        let tmp = "\(path).tmp-\(getpid())"
        guard let f = fopen(tmp, "wb") else {
            throw X3Error(.io, "\(path): cannot create \(tmp): \(String(cString: strerror(errno)))")
        }
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
        let flushed = fflush(f) == 0 && fsync(fileno(f)) == 0
        fclose(f)
        guard written == bytes.count, flushed else {
            unlink(tmp)
            throw X3Error(.io, "\(path): write failed: \(String(cString: strerror(errno)))")
        }
        guard rename(tmp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(tmp)
            throw X3Error(.io, "\(path): cannot move \(tmp) into place: \(reason)")
        }
    }

    public static func writeAtomically(path: String, text: String) throws {
        try writeAtomically(path: path, bytes: Array(text.utf8))
    }

    /// Creates a directory and any missing parents (like `mkdir -p`); an existing
    /// directory is fine.
    public static func makeDirectory(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/") {
            prefix += part + "/"
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw X3Error(.io, "\(path): cannot create directory \(prefix): \(String(cString: strerror(errno)))")
            }
        }
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            throw X3Error(.io, "\(path): exists and is not a directory")
        }
    }

    /// Names of the entries of a directory ending in `suffix` (case-insensitive), sorted.
    public static func list(directory: String, suffix: String) throws -> [String] {
        guard let d = opendir(directory) else {
            throw X3Error(.io, "\(directory): cannot open directory: \(String(cString: strerror(errno)))")
        }
        defer { closedir(d) }
        let want = suffix.lowercased()
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.lowercased().hasSuffix(want) && !name.hasPrefix(".") { names.append(name) }
        }
        return names.sorted()
    }

    /// Whether a path is an existing directory.
    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Whether a path is an existing regular file.
    public static func isFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }
}
