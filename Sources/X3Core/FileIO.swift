#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small file helpers on the C library, so the core needs no Foundation.
public enum FileIO {
    /// Largest file `readBytes` reads by default: 4 GiB (a model of a billion parameters).
    public static let defaultMaxBytes = 4 << 30

    /// Reads a whole regular file of at most `maxBytes` bytes. Throws `.io` naming the path
    /// and the system's reason; a directory, FIFO, socket or device (`/dev/zero`) is
    /// refused before it is opened, so a read neither blocks nor runs without end, and a
    /// larger file is `.outOfMemory` before anything is allocated.
    public static func readBytes(path: String, maxBytes: Int = defaultMaxBytes) throws -> [UInt8] {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw X3Error(.io, "\(path): cannot open: \(String(cString: strerror(errno)))")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            let kind = (st.st_mode & S_IFMT) == S_IFDIR ? "a directory" : "not a regular file (a device, FIFO or socket)"
            throw X3Error(.io, "\(path): cannot read: it is \(kind)")
        }
        guard Int(st.st_size) <= maxBytes else {
            throw X3Error(.outOfMemory, "\(path): \(st.st_size) bytes, more than the \(maxBytes) this reader accepts")
        }
        guard let f = fopen(path, "rb") else {
            throw X3Error(.io, "\(path): cannot open: \(String(cString: strerror(errno)))")
        }
        defer { fclose(f) }
        var out: [UInt8] = []
        out.reserveCapacity(Int(st.st_size))
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
            if n > 0 { out.append(contentsOf: chunk[0..<n]) }
            // A file that grows while it is read stops at the cap too.
            guard out.count <= maxBytes else {
                throw X3Error(.outOfMemory, "\(path): more than the \(maxBytes) bytes this reader accepts")
            }
            if n < chunk.count {
                if ferror(f) != 0 {
                    throw X3Error(.io, "\(path): read error: \(String(cString: strerror(errno)))")
                }
                break
            }
        }
        return out
    }

    /// Writes `bytes` to `path` atomically: into a temporary file beside it first
    /// (`path.tmp-PID-XXXXXX`, unique per call, made by mkstemp), then renamed over `path`,
    /// so a reader never sees a half-written file, an interrupted write leaves the old file
    /// intact, and concurrent writers of one path (threads or processes) each replace it
    /// whole. Temporaries of `path` left by processes that no longer run (killed mid-write)
    /// are removed.
    public static func writeAtomically(path: String, bytes: [UInt8]) throws {
        removeStaleTemporaries(of: path)
        var template = Array("\(path).tmp-\(getpid())-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        let tmp = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard fd >= 0 else {
            throw X3Error(.io, "\(path): cannot create a temporary file beside it: \(String(cString: strerror(errno)))")
        }
        fchmod(fd, 0o644)
        var written = 0
        var failure: Int32 = 0
        bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let n = write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                written += n
            }
        }
        if failure == 0 && fsync(fd) != 0 { failure = errno }
        close(fd)
        guard failure == 0 else {
            unlink(tmp)
            throw X3Error(.io, "\(path): write failed: \(String(cString: strerror(failure)))")
        }
        guard rename(tmp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(tmp)
            throw X3Error(.io, "\(path): cannot move \(tmp) into place: \(reason)")
        }
    }

    /// Removes `path.tmp-PID-*` files whose process PID is gone.
    static func removeStaleTemporaries(of path: String) {
        let slash = path.lastIndex(of: "/")
        // "dir/" + name for entries; "" for the working directory.
        let directory = slash.map { String(path[...$0]) } ?? ""
        let prefix = (slash.map { String(path[path.index(after: $0)...]) } ?? path) + ".tmp-"
        guard let d = opendir(directory.isEmpty ? "." : directory) else { return }
        defer { closedir(d) }
        while let e = readdir(d) {
            let name = entryName(e)
            guard name.hasPrefix(prefix) else { continue }
            let rest = name.dropFirst(prefix.count)
            guard let dash = rest.firstIndex(of: "-"), let pid = Int32(rest[..<dash]), pid > 0 else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                unlink(directory + name)
            }
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
            let name = entryName(e)
            if name.lowercased().hasSuffix(want) && !name.hasPrefix(".") { names.append(name) }
        }
        return names.sorted()
    }

    /// The name of a directory entry. The bytes up to its NUL are copied out first: the
    /// bytes after it in the entry are undefined, and decoding in place reads them in
    /// whole words (harmless, but memcheck reports it).
    static func entryName(_ e: UnsafeMutablePointer<dirent>) -> String {
        let bytes: [UInt8] = withUnsafeBytes(of: e.pointee.d_name) { raw in
            Array(raw.prefix(strnlen(raw.baseAddress!.assumingMemoryBound(to: CChar.self), raw.count)))
        }
        return String(decoding: bytes, as: UTF8.self)
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
