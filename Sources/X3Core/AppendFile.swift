#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A text file written by appending, for results recorded as they are computed: each
/// `append` is handed to the kernel at once (no user-space buffer), so a process killed
/// at any moment leaves every completed append in the file, and at most the text of the
/// append in progress cut short.
///
/// `reopen` prepares a file for continuing: it keeps its complete lines (those ending in
/// a newline) up to the first one `keep` refuses, and drops the rest.
public final class AppendFile {
    public let path: String
    private let fd: Int32

    /// Opens `path` for appending; `truncate` empties it first. A new file is created.
    public init(path: String, truncate: Bool) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0), 0o644)
        guard fd >= 0 else { throw X3Error(.io, "\(path): cannot open for writing: \(String(cString: strerror(errno)))") }
    }

    deinit { close(fd) }

    /// Appends `text` whole (retrying short writes and interrupted calls).
    public func append(_ text: String) throws {
        let bytes = Array(text.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw X3Error(.io, "\(path): write failed: \(String(cString: strerror(errno)))")
            }
            done += n
        }
    }

    /// Opens an existing file to continue it: the complete lines before the first that
    /// `keep(index, line)` refuses stay, everything from there on (a refused line, a last
    /// line without its newline) is cut off. The file is read in pieces, so its size
    /// does not matter. Returns the file and how many lines were kept.
    public static func reopen(path: String, keep: (Int, Substring) -> Bool) throws -> (AppendFile, Int) {
        guard let f = fopen(path, "rb") else { throw X3Error(.io, "\(path): cannot open: \(String(cString: strerror(errno)))") }
        var kept = 0, end = 0, total = 0, pending: [UInt8] = [], stop = false
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while !stop {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
            if n == 0 { break }
            total += n
            var start = 0
            for i in 0..<n where chunk[i] == 10 {
                pending += chunk[start..<i]
                start = i + 1
                guard keep(kept, Substring(String(decoding: pending, as: UTF8.self))) else { stop = true; break }
                end += pending.count + 1
                kept += 1
                pending.removeAll(keepingCapacity: true)
            }
            if !stop { pending += chunk[start..<n] }
        }
        let failed = ferror(f) != 0
        fclose(f)
        if failed { throw X3Error(.io, "\(path): read error") }
        if stop || !pending.isEmpty || end < total {
            guard truncate(path, off_t(end)) == 0 else {
                throw X3Error(.io, "\(path): cannot truncate: \(String(cString: strerror(errno)))")
            }
        }
        return (try AppendFile(path: path, truncate: false), kept)
    }

    /// The first line of a file (without its newline; at most 64 KiB of it), or nil for
    /// an empty file.
    public static func firstLine(path: String) throws -> String? {
        guard let f = fopen(path, "rb") else { throw X3Error(.io, "\(path): cannot open: \(String(cString: strerror(errno)))") }
        defer { fclose(f) }
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        let n = buf.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
        guard n > 0 else { return nil }
        return String(decoding: buf[0..<n].prefix { $0 != 10 }, as: UTF8.self)
    }
}
