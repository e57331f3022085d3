import CX3Support
import X3Core

/// Per-edge Wigner-D rotations into and out of the edge frame (`EdgeFrame`), restricted
/// to orders |m| ≤ mmax, between l-major node features `[N, K, C]` and m-major edge
/// features `[E, M, C]` (`CoefficientLayout`).
///
/// In Float the four rotations run in CX3Support's vectorised kernels
/// (edge_rotations.c, the CPU's widest vectors over channels); in Double in the loops
/// below, which are the definition the kernels are tested against.
public struct EdgeRotations<T: NetworkScalar>: Sendable {
    public let layout: CoefficientLayout
    public let edges: Int
    /// Per edge, for each l, the rows m = −min(l, mmax)…min(l, mmax) of D^l(R_e), each of
    /// 2l+1 columns.
    let blocks: [T]
    let perEdge: Int
    /// blockRow[l]: offset of degree l's rows within an edge's block.
    let blockRow: [Int]
    /// The same rows flattened for the kernels: row r's coefficients at coef[r] (width[r]
    /// of them) pair full rows src0[r]… with m-major row dst[r].
    let coef: [Int32], width: [Int32], src0: [Int32], dst: [Int32]

    /// Rotations for edge vectors (Cartesian, non-zero).
    public init(vectors: [Vec3], layout: CoefficientLayout) {
        self.layout = layout
        edges = vectors.count
        let L = layout.lmax, mm = layout.mmax
        var rowOffsets: [Int] = [], o = 0
        for l in 0...L { rowOffsets.append(o); o += (2 * min(l, mm) + 1) * (2 * l + 1) }
        blockRow = rowOffsets
        perEdge = o
        var b = [T](repeating: 0, count: o * vectors.count)
        for (e, v) in vectors.enumerated() {
            let d = WignerD.matrices(EdgeFrame.rotation(v), lmax: L)
            for l in 0...L {
                let n = 2 * l + 1, ml = min(l, mm), start = WignerD.blockStart(l)
                for (ri, m) in (-ml...ml).enumerated() {
                    for j in 0..<n { b[e * o + rowOffsets[l] + ri * n + j] = T(d[start + (m + l) * n + j]) }
                }
            }
        }
        blocks = b
        var coef: [Int32] = [], width: [Int32] = [], src0: [Int32] = [], dst: [Int32] = []
        for l in 0...L {
            let n = 2 * l + 1, ml = min(l, mm)
            for (ri, m) in (-ml...ml).enumerated() {
                coef.append(Int32(rowOffsets[l] + ri * n)); width.append(Int32(n)); src0.append(Int32(l * l))
                dst.append(Int32(layout.position(l, m)))
            }
        }
        self.coef = coef; self.width = width; self.src0 = src0; self.dst = dst
    }

    /// Calls body with the kernels' description of these rotations (Float only).
    func withKernelRotation<R>(_ body: (UnsafePointer<x3s_rotation>) -> R) -> R {
        blocks.withUnsafeBufferPointer { bp in
            coef.withUnsafeBufferPointer { cp in width.withUnsafeBufferPointer { wp in
                src0.withUnsafeBufferPointer { sp in dst.withUnsafeBufferPointer { dp in
                    var r = x3s_rotation(blocks: UnsafeRawPointer(bp.baseAddress!).assumingMemoryBound(to: Float.self),
                                         per_edge: Int64(perEdge), rows: Int64(coef.count), coef: cp.baseAddress,
                                         width: wp.baseAddress, src0: sp.baseAddress, dst: dp.baseAddress)
                    return withUnsafePointer(to: &r) { body($0) }
                }}
            }}
        }
    }

    @inline(__always) static func float(_ p: UnsafePointer<T>) -> UnsafePointer<Float> {
        UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
    }
    @inline(__always) static func float(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
    }

    /// The m-major position of (l, m), |m| ≤ mmax.
    @inline(__always) func mIndex(_ l: Int, _ m: Int) -> Int { layout.position(l, m) }

    /// out[e, :, c0 ..< c0 + C] = D_e · x[node[e], :, :] (rows |m| ≤ mmax, m-major);
    /// `outChannels` is the channel count of `out`; `nodes` nil means row e of x itself.
    public func rotateIn(_ x: UnsafePointer<T>, channels c: Int, nodes: [Int32]?, into out: UnsafeMutablePointer<T>,
                         outChannels: Int, channelOffset c0: Int) {
        let L = layout.lmax, mm = layout.mmax, K = layout.fullCount, M = layout.count
        if T.self == Float.self {
            withKernelRotation { r in
                if let nodes {
                    nodes.withUnsafeBufferPointer {
                        x3s_rotate_in(r, Int64(edges), Self.float(x), Int64(K), $0.baseAddress, Int64(c), Self.float(out),
                                      Int64(M), Int64(outChannels), Int64(c0))
                    }
                } else {
                    x3s_rotate_in(r, Int64(edges), Self.float(x), Int64(K), nil, Int64(c), Self.float(out), Int64(M),
                                  Int64(outChannels), Int64(c0))
                }
            }
            return
        }
        blocks.withUnsafeBufferPointer { bp in
            for e in 0..<edges {
                let xn = x + (nodes.map { Int($0[e]) } ?? e) * K * c
                let oe = out + e * M * outChannels + c0
                for l in 0...L {
                    let n = 2 * l + 1, ml = min(l, mm)
                    for (ri, m) in (-ml...ml).enumerated() {
                        let row = bp.baseAddress! + e * perEdge + blockRow[l] + ri * n
                        let dst = oe + mIndex(l, m) * outChannels
                        for ch in 0..<c { dst[ch] = 0 }
                        for j in 0..<n {
                            let w = row[j], src = xn + (l * l + j) * c
                            for ch in 0..<c { dst[ch] += w * src[ch] }
                        }
                    }
                }
            }
        }
    }

    /// Adjoint of `rotateIn`: dx[node[e]] += D_eᵀ · dout[e, :, c0 ..< c0 + C].
    public func rotateInBackward(_ dout: UnsafePointer<T>, outChannels: Int, channelOffset c0: Int, nodes: [Int32],
                                 into dx: UnsafeMutablePointer<T>, channels c: Int) {
        rotateBack(dout, gChannels: outChannels, channelOffset: c0, nodes: nodes, scale: 1, into: dx, channels: c)
    }

    /// Back to the global frame: y[e, :, :] = D_eᵀ · msg[e] (l-major, full K; orders
    /// |m| > mmax receive nothing).
    public func rotateOut(_ msg: UnsafePointer<T>, channels c: Int, into y: UnsafeMutablePointer<T>) {
        rotateBack(msg, gChannels: c, channelOffset: 0, nodes: nil, scale: 1, into: y, channels: c)
    }

    /// `rotateOut` fused with the sum over each node's incoming edges:
    /// y[target[e]] += scale · D_eᵀ · msg[e], edges in order (so sums are deterministic).
    /// Its adjoint is `rotateIn` from the target nodes (times scale).
    public func rotateOutScatter(_ msg: UnsafePointer<T>, channels c: Int, targets: [Int32], scale: T,
                                 into y: UnsafeMutablePointer<T>) {
        rotateBack(msg, gChannels: c, channelOffset: 0, nodes: targets, scale: scale, into: y, channels: c)
    }

    /// The three above: y[node(e)] += scale · D_eᵀ · g[e, :, c0 ..< c0 + C], where node(e) =
    /// nodes[e]; with nodes nil, y[e] = D_eᵀ · g[e] (each edge's rows zeroed first).
    func rotateBack(_ g: UnsafePointer<T>, gChannels: Int, channelOffset c0: Int, nodes: [Int32]?, scale: T,
                    into y: UnsafeMutablePointer<T>, channels c: Int) {
        let L = layout.lmax, mm = layout.mmax, K = layout.fullCount, M = layout.count
        if T.self == Float.self {
            withKernelRotation { r in
                if let nodes {
                    nodes.withUnsafeBufferPointer {
                        x3s_rotate_back(r, Int64(edges), Self.float(g), Int64(M), Int64(gChannels), Int64(c0), $0.baseAddress,
                                        Float(scale), 0, Self.float(y), Int64(K), Int64(c))
                    }
                } else {
                    x3s_rotate_back(r, Int64(edges), Self.float(g), Int64(M), Int64(gChannels), Int64(c0), nil, Float(scale), 1,
                                    Self.float(y), Int64(K), Int64(c))
                }
            }
            return
        }
        blocks.withUnsafeBufferPointer { bp in
            for e in 0..<edges {
                let ye = y + (nodes.map { Int($0[e]) } ?? e) * K * c, ge = g + e * M * gChannels + c0
                if nodes == nil { for i in 0..<(K * c) { ye[i] = 0 } }
                for l in 0...L {
                    let n = 2 * l + 1, ml = min(l, mm)
                    for (ri, m) in (-ml...ml).enumerated() {
                        let row = bp.baseAddress! + e * perEdge + blockRow[l] + ri * n
                        let src = ge + mIndex(l, m) * gChannels
                        for j in 0..<n {
                            let w = row[j], dst = ye + (l * l + j) * c
                            for ch in 0..<c { dst[ch] += w * (scale * src[ch]) }
                        }
                    }
                }
            }
        }
    }

    /// Adjoint of `rotateOut`: dmsg[e] = D_e · dy[e].
    public func rotateOutBackward(_ dy: UnsafePointer<T>, channels c: Int, into dmsg: UnsafeMutablePointer<T>) {
        rotateIn(dy, channels: c, nodes: nil, into: dmsg, outChannels: c, channelOffset: 0)
    }
}

/// The SO(2) convolution of eSCN in the edge frame, on m-major edge features `[E, M, C]`:
/// for m = 0, y₀ = (r₀ ⊙ x₀) W₀ + b over the flattened (l, channel) block; for each
/// m = 1…mmax, y_{±m} = (r_m ⊙ x_{±m}) W_m. The r are per-edge radial weights (from the
/// radial MLP), layout [E, Σ_m (lmax − m + 1)·C_in], blocks m = 0…mmax.
///
/// Parity: eSCN's second ("imaginary") weight set, which mixes +m and −m, is left out.
/// With it a layer could tell a window from its mirror image; without it, every layer is
/// equivariant under reflections through planes containing the edge axis, hence the whole
/// network under inversion — the invariance the paper claims, by construction.
public struct SO2Convolution: Sendable, Equatable {
    public let layout: CoefficientLayout
    public let inputs: Int, outputs: Int
    public let weights: [Int]  // W_m offsets, m = 0…mmax
    public let bias: Int
    /// Precomputed: start of each order's radial weights, and the (order, row, degrees)
    /// blocks (+m and −m separately) in the m-major layout.
    let radialOffsets: [Int]
    let blockOrder: [Int], blockRow: [Int], blockCount: [Int]

    public init<T: NetworkScalar>(_ name: String, layout: CoefficientLayout, inputs: Int, outputs: Int,
                                  params: inout ParameterStore<T>, rng: inout some RandomNumberGenerator) {
        self.layout = layout
        self.inputs = inputs
        self.outputs = outputs
        weights = (0...layout.mmax).map { m in
            let rowsIn = layout.degrees(ofOrder: m) * inputs, colsOut = layout.degrees(ofOrder: m) * outputs
            let bound = (3.0 / Double(rowsIn)).squareRoot()
            return params.addUniform("\(name).weight\(m)", shape: [rowsIn, colsOut], bound: bound, rng: &rng)
        }
        bias = params.add("\(name).bias", shape: [layout.degrees(ofOrder: 0) * outputs]) { _ in 0 }
        radialOffsets = (0...layout.mmax).map { m in (0..<m).map { layout.degrees(ofOrder: $0) * inputs }.reduce(0, +) }
        var bo = [0], br = [0], bc = [layout.lmax + 1]
        if layout.mmax >= 1 {
            for m in 1...layout.mmax {
                let o = layout.offset(ofOrder: m), n = layout.degrees(ofOrder: m)
                bo += [m, m]; br += [o, o + n]; bc += [n, n]
            }
        }
        blockOrder = bo; blockRow = br; blockCount = bc
    }

    /// Width of the radial weights per edge.
    public var radialWidth: Int { (0...layout.mmax).map { layout.degrees(ofOrder: $0) * inputs }.reduce(0, +) }

    /// The blocks (order m, sign) as (row offset in M, degrees).
    var blocksList: [(m: Int, row: Int, count: Int)] {
        (0..<blockOrder.count).map { (blockOrder[$0], blockRow[$0], blockCount[$0]) }
    }

    /// Modulated inputs r ⊙ x, [E, M, C_in]: the input of the first GEMMs, and of the
    /// weight gradients in `backward`.
    public func modulate<T: NetworkScalar>(_ x: UnsafePointer<T>, radial r: UnsafePointer<T>, edges: Int) -> [T] {
        var out = [T](repeating: 0, count: edges * layout.count * inputs)
        out.withUnsafeMutableBufferPointer { modulate(x, radial: r, edges: edges, into: $0.baseAddress!) }
        return out
    }

    /// `modulate` into `out` [E, M, C_in], which it writes entirely.
    public func modulate<T: NetworkScalar>(_ x: UnsafePointer<T>, radial r: UnsafePointer<T>, edges: Int,
                                           into out: UnsafeMutablePointer<T>) {
        let M = layout.count, ci = inputs, rw = radialWidth
        for e in 0..<edges {
            for b in 0..<blockOrder.count {
                let base = (e * M + blockRow[b]) * ci
                T.multiply(x + base, r + e * rw + radialOffsets[blockOrder[b]], count: blockCount[b] * ci, into: out + base)
            }
        }
    }

    public func forward<T: NetworkScalar>(modulated xm: UnsafePointer<T>, edges: Int, params: UnsafePointer<T>,
                                          into y: UnsafeMutablePointer<T>) {
        let M = layout.count, ci = inputs, co = outputs
        for e in 0..<edges { (y + e * M * co).update(from: params + bias, count: (layout.lmax + 1) * co) }
        for (m, row, n) in blocksList {
            T.gemm(transA: false, transB: false, m: edges, n: n * co, k: n * ci, alpha: 1, a: xm + row * ci,
                   lda: M * ci, b: params + weights[m], ldb: n * co, beta: m == 0 ? 1 : 0, c: y + row * co, ldc: M * co)
        }
    }

    /// Accumulates dW, db; writes dx and dr (either may be nil). `radial` nil means the
    /// input was not modulated (xm = x).
    public func backward<T: NetworkScalar>(_ x: UnsafePointer<T>, radial r: UnsafePointer<T>?, modulated xm: UnsafePointer<T>,
                                           _ dy: UnsafePointer<T>, edges: Int, params: UnsafePointer<T>,
                                           grad: UnsafeMutablePointer<T>, dx: UnsafeMutablePointer<T>?,
                                           dr: UnsafeMutablePointer<T>?) {
        let M = layout.count, ci = inputs, co = outputs, rw = radialWidth
        T.sumRows(dy, rows: edges, columns: (layout.lmax + 1) * co, stride: M * co, into: grad + bias)
        // dL/d(xm), written by the GEMMs (every row of M belongs to one block); unmodulated,
        // that is dx itself
        let dxm = r != nil && (dx != nil || dr != nil) ? Buffer<T>(uninitialized: edges * M * ci) : nil
        for (m, row, n) in blocksList {
            T.gemm(transA: true, transB: false, m: n * ci, n: n * co, k: edges, alpha: 1, a: xm + row * ci,
                   lda: M * ci, b: dy + row * co, ldb: M * co, beta: 1, c: grad + weights[m], ldc: n * co)
            if let out = dxm?.p ?? (r == nil ? dx : nil) {
                T.gemm(transA: false, transB: true, m: edges, n: n * ci, k: n * co, alpha: 1, a: dy + row * co,
                       lda: M * co, b: params + weights[m], ldb: n * co, beta: 0, c: out + row * ci, ldc: M * ci)
            }
        }
        guard let r, let dm = dxm?.p else {
            if let dr { dr.update(repeating: 0, count: edges * rw) }
            return
        }
        // xm = r ⊙ x: dx = r ⊙ dxm; dr = Σ over the ±m blocks of x ⊙ dxm. The blocks are
        // m = 0, then +1, −1, +2, −2, …: the m = 0 and +m blocks write, the −m blocks add.
        for e in 0..<edges {
            for b in 0..<blockOrder.count {
                let base = (e * M + blockRow[b]) * ci, count = blockCount[b] * ci
                let ro = e * rw + radialOffsets[blockOrder[b]]
                if let dx { T.multiply(dm + base, r + ro, count: count, into: dx + base) }
                if let dr {
                    if b == 0 || b % 2 == 1 {
                        T.multiply(dm + base, x + base, count: count, into: dr + ro)
                    } else {
                        T.multiplyAdd(dm + base, x + base, count: count, into: dr + ro)
                    }
                }
            }
        }
    }
}
