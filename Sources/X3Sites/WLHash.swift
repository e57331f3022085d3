import X3Core
#if canImport(Glibc)
import Glibc
#endif

/// An undirected simple graph with a text label per node, as NetworkX's `nx.Graph` holds
/// it: duplicate edges collapse into one; a self-loop makes the node its own neighbour
/// (once).
public struct LabelledGraph: Sendable, Equatable {
    /// Node labels (ASCII bytes; NetworkX encodes labels as ASCII).
    public var labels: [[UInt8]]
    /// Sorted, duplicate-free neighbour lists.
    public private(set) var neighbours: [[Int32]]

    public init(labels: [[UInt8]]) {
        self.labels = labels
        neighbours = Array(repeating: [], count: labels.count)
    }

    /// A graph from labels and an edge list (pairs of 0-based node indices).
    public init(labels: [String], edges: [(Int, Int)]) throws {
        var ls: [[UInt8]] = []
        for (i, l) in labels.enumerated() {
            let bytes = Array(l.utf8)
            guard bytes.allSatisfy({ $0 < 128 }) else {
                throw X3Error(.invalidArgument, "node \(i): label '\(l)' is not ASCII (NetworkX hashes ASCII labels)")
            }
            ls.append(bytes)
        }
        self.init(labels: ls)
        for (k, (u, v)) in edges.enumerated() {
            guard u >= 0, v >= 0, u < labels.count, v < labels.count else {
                throw X3Error(.indexOutOfRange, "edge \(k) = (\(u), \(v)) names a node outside 0..<\(labels.count)")
            }
            addEdge(u, v)
        }
        finish()
    }

    public var nodeCount: Int { labels.count }
    public var edgeCount: Int {
        var twice = 0, loops = 0
        for (i, n) in neighbours.enumerated() {
            twice += n.count
            if n.contains(Int32(i)) { loops += 1 }
        }
        return (twice + loops) / 2
    }

    /// Adds an edge; call `finish()` after the last one.
    public mutating func addEdge(_ u: Int, _ v: Int) {
        neighbours[u].append(Int32(v))
        if u != v { neighbours[v].append(Int32(u)) }
    }

    /// Sorts neighbour lists and removes duplicate edges.
    public mutating func finish() {
        for i in neighbours.indices where neighbours[i].count > 1 {
            neighbours[i].sort()
            var out: [Int32] = []
            out.reserveCapacity(neighbours[i].count)
            for n in neighbours[i] where out.last != n { out.append(n) }
            neighbours[i] = out
        }
    }

    /// Edges as (u, v) with u ≤ v, sorted.
    public var edges: [(Int, Int)] {
        var e: [(Int, Int)] = []
        for (u, ns) in neighbours.enumerated() {
            for v in ns where Int(v) >= u { e.append((u, Int(v))) }
        }
        return e
    }
}

/// The Weisfeiler–Lehman graph hash, byte-identical to NetworkX ≥ 3.5's
/// `weisfeiler_lehman_graph_hash(G, node_attr=..., iterations=k, digest_size=d)` for an
/// undirected graph with node labels and no edge labels:
///
/// 1. Each node starts with its label.
/// 2. Each iteration, node v's new label is the lower-case hex BLAKE2b-d digest of
///    label(v) followed by the concatenation of its neighbours' labels sorted as byte
///    strings (Python's `sorted` on ASCII strings).
/// 3. After each iteration the (label, count) pairs of the new labels, sorted by label,
///    are appended to one list.
/// 4. The hash is the hex BLAKE2b-d digest of Python's `str(tuple(list))`, e.g.
///    `(('3f…', 2), ('a1…', 1))`, `(('3f…', 1),)` for one pair, `()` for none.
public enum WLHash {
    /// Hex digest of the graph, 2·digestSize ASCII bytes. iterations ≥ 1, digestSize 1…64.
    public static func hash(_ g: LabelledGraph, iterations: Int, digestSize: Int) throws -> String {
        String(decoding: try hashBytes(g, iterations: iterations, digestSize: digestSize), as: UTF8.self)
    }

    public static func validate(iterations: Int, digestSize: Int) throws {
        guard iterations >= 1, iterations <= 1000 else {
            throw X3Error(.invalidArgument, "iterations = \(iterations); the WL hash needs 1...1000")
        }
        guard digestSize >= 1, digestSize <= 64 else {
            throw X3Error(.invalidArgument, "digest size = \(digestSize) bytes; BLAKE2b allows 1...64")
        }
    }

    public static func hashBytes(_ g: LabelledGraph, iterations: Int, digestSize: Int) throws -> [UInt8] {
        try validate(iterations: iterations, digestSize: digestSize)
        let n = g.nodeCount
        // Labels live in one flat buffer: label v is buffer[start[v] ..< start[v] + len[v]].
        // The initial labels vary in length; every later one is 2·digestSize hex digits.
        var buffer: [UInt8] = [], start = [Int](repeating: 0, count: n), len = [Int](repeating: 0, count: n)
        for v in 0..<n {
            start[v] = buffer.count
            len[v] = g.labels[v].count
            buffer += g.labels[v]
        }
        let stride = 2 * digestSize
        var summary = Array("(".utf8)
        var pairs = 0
        var message: [UInt8] = []
        var order: [Int32] = []
        var next = [UInt8]()
        next.reserveCapacity(n * stride)
        for _ in 0..<iterations {
            next.removeAll(keepingCapacity: true)
            buffer.withUnsafeBufferPointer { b in
                // a < b as byte strings (Python's order on ASCII strings)
                func less(_ x: Int32, _ y: Int32) -> Bool {
                    let lx = len[Int(x)], ly = len[Int(y)], sx = start[Int(x)], sy = start[Int(y)]
                    let c = memcmp(b.baseAddress! + sx, b.baseAddress! + sy, min(lx, ly))
                    return c != 0 ? c < 0 : lx < ly
                }
                for v in 0..<n {
                    message.removeAll(keepingCapacity: true)
                    message.append(contentsOf: b[start[v] ..< start[v] + len[v]])
                    let ns = g.neighbours[v]
                    if ns.count == 1 {
                        let u = Int(ns[0])
                        message.append(contentsOf: b[start[u] ..< start[u] + len[u]])
                    } else if ns.count > 1 {
                        order.removeAll(keepingCapacity: true)
                        order.append(contentsOf: ns)
                        order.sort(by: less)
                        for u32 in order {
                            let u = Int(u32)
                            message.append(contentsOf: b[start[u] ..< start[u] + len[u]])
                        }
                    }
                    message.withUnsafeBytes { BLAKE2b.appendHexDigest($0, digestSize: digestSize, to: &next) }
                }
            }
            swap(&buffer, &next)
            for v in 0..<n { start[v] = v * stride; len[v] = stride }
            // Counter of this iteration's labels, sorted by label: (label, count) pairs.
            buffer.withUnsafeBufferPointer { b in
                order = (0..<Int32(n)).sorted { x, y in
                    memcmp(b.baseAddress! + Int(x) * stride, b.baseAddress! + Int(y) * stride, stride) < 0
                }
                var i = 0
                while i < n {
                    var j = i + 1
                    let si = Int(order[i]) * stride
                    while j < n && memcmp(b.baseAddress! + si, b.baseAddress! + Int(order[j]) * stride, stride) == 0 { j += 1 }
                    if pairs > 0 { summary += [44, 32] }  // ", "
                    summary += [40, 39]  // "('"
                    summary += b[si ..< si + stride]
                    summary += Array("', \(j - i))".utf8)
                    pairs += 1
                    i = j
                }
            }
        }
        summary += pairs == 1 ? Array(",)".utf8) : Array(")".utf8)
        return BLAKE2b.hexDigest(summary, digestSize: digestSize)
    }
}
