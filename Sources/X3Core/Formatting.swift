#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `x` with exactly `decimals` digits after the point ("%.*f"), without Foundation.
public func formatFixed(_ x: Double, _ decimals: Int) -> String { formatC(x, decimals, "%.*f") }

/// `x` in scientific notation with `decimals` digits after the point ("%.*e").
public func formatScientific(_ x: Double, _ decimals: Int) -> String { formatC(x, decimals, "%.*e") }

private func formatC(_ x: Double, _ decimals: Int, _ format: String) -> String {
    var buffer = [CChar](repeating: 0, count: 400)
    let n = buffer.withUnsafeMutableBufferPointer { p in
        withVaList([decimals, x]) { vsnprintf(p.baseAddress, p.count, format, $0) }
    }
    let len = max(0, min(Int(n), buffer.count - 1))
    return String(decoding: buffer[0..<len].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Writes a line (or, with `newline: false`, just the text) to standard error.
public func printToStandardError(_ s: String, newline: Bool = true) {
    let line = Array((newline ? s + "\n" : s).utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    public var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}

/// Seconds on the monotonic clock (for durations).
public func monotonicSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + 1e-9 * Double(t.tv_nsec)
}

/// A CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
public func csvField(_ s: String) -> String {
    guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
    var out = "\""
    for c in s { out += c == "\"" ? "\"\"" : String(c) }
    return out + "\""
}
