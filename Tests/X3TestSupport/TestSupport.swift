// Helpers shared by the Swift test targets: where the real data is, listing files,
// reading label CSVs, a seeded random generator.
import Foundation
import X3Core
import X3Network
#if canImport(Glibc)
import Glibc
#endif

/// The repository's root folder (it holds models/ with the shipped models).
public let repositoryRoot: String = String(#filePath).components(separatedBy: "/Tests/")[0]

/// `../shared/data` beside the checkout, or $X3MAT_SHARED_DATA; nil when absent.
public let sharedData: String? = {
    if let env = getenv("X3MAT_SHARED_DATA") { return String(cString: env) }
    let root = String(#filePath).components(separatedBy: "/Tests/")[0]
    let path = root + "/../shared/data"
    return access(path + "/README.md", R_OK) == 0 ? path : nil
}()

/// Files in a directory with a suffix, sorted ([] when it cannot be read).
public func listFiles(_ dir: String, suffix: String) -> [String] {
    (try? FileIO.list(directory: dir, suffix: suffix)) ?? []
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

/// The tests' seeded generator: libx3mat's SplitMix64.
public typealias SplitMix = SplitMix64

extension SplitMix64 {
    public init(state: UInt64) { self.init(seed: state) }
}

/// A new empty directory under /tmp (mkdtemp), for tests that write files.
public func makeScratchDirectory(_ prefix: String) -> String {
    var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
    return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
}

/// A model small enough for fast tests: lmax 1, 8 channels, one block; windows R = 5 Å
/// on a 5 Å grid.
public func tinyConfig() -> ModelConfig {
    var c = ModelConfig()
    c.lmax = 1; c.mmax = 1; c.channels = 8; c.attentionChannels = 8; c.heads = 2; c.valueChannelsPerHead = 4
    c.ffnChannels = 8; c.blocks = 1; c.radialBasis = 8; c.radialHidden = 8; c.edgeEmbedding = 4; c.maxNeighbours = 8
    c.readoutHidden = 8; c.windowRadius = 5; c.windowStep = 5
    return c
}

extension SplitMix64 {
    /// A uniform double in [0, 1).
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }
}
