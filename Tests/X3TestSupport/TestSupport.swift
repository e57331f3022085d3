// Helpers shared by the Swift test targets: where the real data is, listing files,
// reading label CSVs, a seeded random generator.
import Foundation
import X3Core
#if canImport(Glibc)
import Glibc
#endif

/// `../shared/data` beside the checkout, or $X3MAT_SHARED_DATA; nil when absent.
public let sharedData: String? = {
    if let env = getenv("X3MAT_SHARED_DATA") { return String(cString: env) }
    let root = String(#filePath).components(separatedBy: "/Tests/")[0]
    let path = root + "/../shared/data"
    return access(path + "/README.md", R_OK) == 0 ? path : nil
}()

/// Files in a directory with a suffix, sorted.
public func listFiles(_ dir: String, suffix: String) -> [String] {
    guard let d = opendir(dir) else { return [] }
    defer { closedir(d) }
    var names: [String] = []
    while let e = readdir(d) {
        let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        if name.hasSuffix(suffix) { names.append(name) }
    }
    return names.sorted()
}

/// A tiny CSV reader for the label files (no quoted commas in them).
public func readCSV(_ path: String) throws -> [[String: String]] {
    let text = String(decoding: try FileIO.readBytes(path: path), as: UTF8.self)
    let lines = text.split(whereSeparator: \.isNewline).map(String.init)
    let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    return lines.dropFirst().map { line in
        let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return Dictionary(uniqueKeysWithValues: zip(header, cells))
    }
}

/// A deterministic random generator for property tests (SplitMix64).
public struct SplitMix: RandomNumberGenerator {
    public var state: UInt64
    public init(state: UInt64) { self.state = state }
    public mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}

