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
        rotateIn(x, channels: c, nodes: nodes, radial: nil, into: out, modulated: nil, outChannels: outChannels,
                 channelOffset: c0)
    }

    /// `rotateIn` fused with `conv.modulate`, the radial modulation of the convolution's
    /// input: modulated[e, :, c0 ..< c0 + C] = the rotated rows times their radial weights
    /// (`radial` in `conv`'s layout, [E, conv.radialWidth]); out receives the rotated rows
    /// themselves unless nil. Each modulated value is the rotated value times its weight,
    /// rounded once, so the result equals `modulate` applied to `rotateIn`'s.
    public func rotateIn(_ x: UnsafePointer<T>, channels c: Int, nodes: [Int32]?, modulatedBy radial: UnsafePointer<T>,
                         of conv: SO2Convolution, into out: UnsafeMutablePointer<T>?, modulated: UnsafeMutablePointer<T>,
                         outChannels: Int, channelOffset c0: Int) {
        precondition(conv.layout == layout && outChannels == conv.inputs)
        rotateIn(x, channels: c, nodes: nodes, radial: (radial, conv.radialWidth, conv.radialRowOffsets), into: out,
                 modulated: modulated, outChannels: outChannels, channelOffset: c0)
    }

    func rotateIn(_ x: UnsafePointer<T>, channels c: Int, nodes: [Int32]?,
                  radial: (weights: UnsafePointer<T>, stride: Int, offsets: [Int32])?, into out: UnsafeMutablePointer<T>?,
                  modulated: UnsafeMutablePointer<T>?, outChannels: Int, channelOffset c0: Int) {
        let L = layout.lmax, mm = layout.mmax, K = layout.fullCount, M = layout.count
        if T.self == Float.self {
            let offsets = radial?.offsets ?? []
            withKernelRotation { r in offsets.withUnsafeBufferPointer { op in
                var mod = x3s_modulation(weights: radial.map { Self.float($0.weights) }, stride: Int64(radial?.stride ?? 0),
                                         offset: op.baseAddress)
                withUnsafePointer(to: &mod) { mp in
                    let m = radial == nil ? nil : mp, o = out.map { Self.float($0) }, mo = modulated.map { Self.float($0) }
                    if let nodes {
                        nodes.withUnsafeBufferPointer {
                            x3s_rotate_in(r, Int64(edges), Self.float(x), Int64(K), $0.baseAddress, Int64(c), m, o, mo,
                                          Int64(M), Int64(outChannels), Int64(c0))
                        }
                    } else {
                        x3s_rotate_in(r, Int64(edges), Self.float(x), Int64(K), nil, Int64(c), m, o, mo, Int64(M),
                                      Int64(outChannels), Int64(c0))
                    }
                }
            }}
            return
        }
        var v = [T](repeating: 0, count: c)
        blocks.withUnsafeBufferPointer { bp in
            for e in 0..<edges {
                let xn = x + (nodes.map { Int($0[e]) } ?? e) * K * c
                let oe = e * M * outChannels + c0
                for l in 0...L {
                    let n = 2 * l + 1, ml = min(l, mm)
                    for (ri, m) in (-ml...ml).enumerated() {
                        let row = bp.baseAddress! + e * perEdge + blockRow[l] + ri * n
                        let at = oe + mIndex(l, m) * outChannels
                        for ch in 0..<c { v[ch] = 0 }
                        for j in 0..<n {
                            let w = row[j], src = xn + (l * l + j) * c
                            for ch in 0..<c { v[ch] += w * src[ch] }
                        }
                        if let out { for ch in 0..<c { out[at + ch] = v[ch] } }
                        if let radial, let modulated {
                            let weights = radial.weights + e * radial.stride + Int(radial.offsets[mIndex(l, m)]) + c0
                            for ch in 0..<c { modulated[at + ch] = v[ch] * weights[ch] }
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
