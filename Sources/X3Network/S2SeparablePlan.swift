import CX3Support
import X3Core
#if canImport(Glibc)
import Glibc
#endif

/// An S2 activation's grid matrices factored for the fused Float kernel
/// (`x3s_s2_at_width`, s2_activation.c): on the product grid each real spherical harmonic is a latitude
/// factor times a longitude factor, Y_r(θ_t, φ_k) = A_r(t) B_m(φ_k) with B_0 = 1 and
/// B_m ∈ {cos |m|φ, sin |m|φ} for m ≠ 0, so the grid values and the quadrature back need
/// (orders × longitudes) multiply-adds per latitude instead of (rows × longitudes).
///
/// The factors are read off the activation's own `toGrid` and `fromGrid` (a projection on
/// each candidate B_m) and the product is checked against them, so the plan follows the
/// harmonics' convention whatever it is; an activation whose grid does not factor, or
/// whose rows or orders exceed the kernel's limits, gets no plan and keeps the GEMM path.
public struct S2SeparablePlan: Sendable, Equatable {
    public let rows: Int, rings: Int, halfLongitudes: Int
    /// Distinct longitude factors; the first `evenOrders` have even |m|.
    public let orders: Int, evenOrders: Int
    /// The feature rows grouped by longitude factor: factor o's rows are
    /// `row[orderStart[o] ..< orderStart[o + 1]]`; row[0] = 0 (l = 0).
    public let row: [Int32], orderStart: [Int32]
    /// Latitude factors [rings, rows] of `toGrid` and of `fromGrid` (quadrature weights
    /// included; zero for l = 0, whose output is SiLU alone), rows in the order of `row`.
    public let toGrid: [Float], fromGrid: [Float]
    /// Longitude factors [halfLongitudes, orders].
    public let phi: [Float]

    /// Nil when the grid does not factor within `tolerance` (relative to its largest entry)
    /// or the sizes exceed the kernel's limits.
    public init?(rowIndices: [Int], resolution: Int, toGrid tg: [Double], fromGrid fg: [Double],
                 tolerance: Double = 1e-12) {
        let R = rowIndices.count, T = resolution, K = 2 * resolution, G = T * K
        guard rowIndices.first == 0, R <= Int(X3S_S2_MAX_ROWS), tg.count == G * R, fg.count == R * G else { return nil }
        // the longitude factors, keyed by order: 0 → 1, κ > 0 → cos κφ, κ < 0 → sin |κ|φ
        var factors: [Int: [Double]] = [:]
        func factor(_ key: Int) -> [Double] {
            if let f = factors[key] { return f }
            let f = (0..<K).map { k in
                let phi = 2 * Double.pi * Double(k) / Double(K)
                return key == 0 ? 1 : key > 0 ? cos(Double(key) * phi) : sin(Double(-key) * phi)
            }
            factors[key] = f
            return f
        }
        /// The latitude factor of value(t, k) along b, by least squares over the longitudes.
        func project(_ value: (Int, Int) -> Double, _ b: [Double]) -> [Double] {
            let norm = b.reduce(0) { $0 + $1 * $1 }
            return (0..<T).map { t in (0..<K).reduce(0) { $0 + value(t, $1) * b[$1] } / norm }
        }
        var keys: [Int] = [], rowKey: [Int] = [], a: [[Double]] = [], w: [[Double]] = []
        for (r, i) in rowIndices.enumerated() {
            let l = Int(Double(i).squareRoot()), m = abs(i - l * l - l)
            let toValue = { (t: Int, k: Int) in tg[(t * K + k) * R + r] }
            // cos or sin, whichever carries the row (the other projects to zero)
            let candidates = (m == 0 ? [0] : [m, -m]).map { ($0, project(toValue, factor($0))) }
            let (key, along) = candidates.max { $0.1.reduce(0) { $0 + $1 * $1 } < $1.1.reduce(0) { $0 + $1 * $1 } }!
            if let found = keys.firstIndex(of: key) { rowKey.append(found) } else { rowKey.append(keys.count); keys.append(key) }
            a.append(along)
            w.append(project({ t, k in fg[r * G + t * K + k] }, factor(key)))
        }
        guard keys.count <= Int(X3S_S2_MAX_ORDERS) else { return nil }
        // even orders first: φ + π leaves their factors unchanged and flips the odd ones
        let sorted = keys.indices.sorted { (abs(keys[$0]) % 2, $0) < (abs(keys[$1]) % 2, $1) }
        var position = [Int](repeating: 0, count: keys.count)
        for (p, k) in sorted.enumerated() { position[k] = p }
        let ordered = sorted.map { factor(keys[$0]) }
        // the product must reproduce both matrices
        let scale = max(tg.map(abs).max() ?? 0, fg.map(abs).max() ?? 0)
        for r in 0..<R {
            let b = ordered[position[rowKey[r]]]
            for t in 0..<T {
                for k in 0..<K {
                    guard abs(a[r][t] * b[k] - tg[(t * K + k) * R + r]) <= tolerance * scale,
                          abs(w[r][t] * b[k] - fg[r * G + t * K + k]) <= tolerance * scale else { return nil }
                }
            }
        }
        rows = R
        rings = T
        halfLongitudes = K / 2
        orders = keys.count
        evenOrders = keys.filter { $0 % 2 == 0 }.count
        let grouped = (0..<R).sorted { (position[rowKey[$0]], $0) < (position[rowKey[$1]], $1) }
        row = grouped.map { Int32($0) }
        orderStart = (0...keys.count).map { o in Int32(grouped.filter { position[rowKey[$0]] < o }.count) }
        toGrid = (0..<T).flatMap { t in grouped.map { Float(a[$0][t]) } }
        fromGrid = (0..<T).flatMap { t in grouped.map { $0 == 0 ? 0 : Float(w[$0][t]) } }
        phi = (0..<(K / 2)).flatMap { k in ordered.map { Float($0[k]) } }
    }

    /// The kernel's floating-point operations for `rows` rows of `channels` (a multiply-add
    /// counts 2; SiLU counts nothing): per latitude, the factor sums over the rows, for each
    /// longitude pair the even and odd parts and the sums back, then the rows again.
    public func flops(rows n: Int, channels: Int, backward: Bool) -> Int {
        let perLatitude = backward ? 6 * rows + halfLongitudes * (6 * orders + 6)
                                   : 4 * rows + halfLongitudes * (4 * orders + 4)
        return rings * perLatitude * n * channels
    }

    /// Runs the fused kernel at `width` lanes (0: this CPU's): forward (dy nil, out = y)
    /// or backward (out = dx). Returns the width used, 0 when this CPU lacks it.
    @discardableResult
    public func run(width: Int = 0, _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>?, rows n: Int,
                    channels: Int, into out: UnsafeMutablePointer<Float>) -> Int {
        row.withUnsafeBufferPointer { rp in orderStart.withUnsafeBufferPointer { op in
            toGrid.withUnsafeBufferPointer { tg in fromGrid.withUnsafeBufferPointer { fg in
                phi.withUnsafeBufferPointer { ph in
                    var plan = x3s_s2_plan(rows: Int64(rows), rings: Int64(rings), half_longitudes: Int64(halfLongitudes),
                                           orders: Int64(orders), even_orders: Int64(evenOrders), row: rp.baseAddress!,
                                           order_start: op.baseAddress!, to_grid: tg.baseAddress!,
                                           from_grid: fg.baseAddress!, phi: ph.baseAddress!)
                    let used = x3s_s2_at_width(Int32(width), dy == nil ? 0 : 1, &plan, x, dy, Int64(n), Int64(channels), out)
                    precondition(used >= 0, "S2 plan out of the kernel's range")
                    return Int(used)
                }
            }}
        }}
    }
}
