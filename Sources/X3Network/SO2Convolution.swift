import CX3Support
import X3Core

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
    /// Per m-major row, where its radial weights start within an edge's: row i of a block
    /// of order m reads radialOffsets[m] + i · inputs onwards (as `modulate` does).
    let radialRowOffsets: [Int32]

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
        var rowOffsets = [Int32](repeating: 0, count: layout.count)
        for b in bo.indices {
            for i in 0..<bc[b] { rowOffsets[br[b] + i] = Int32(radialOffsets[bo[b]] + i * inputs) }
        }
        radialRowOffsets = rowOffsets
    }

    /// Width of the radial weights per edge.
    public var radialWidth: Int { (0...layout.mmax).map { layout.degrees(ofOrder: $0) * inputs }.reduce(0, +) }

    /// The blocks (order m, sign) as (row offset in M, degrees).
    var blocksList: [(m: Int, row: Int, count: Int)] {
        (0..<blockOrder.count).map { (blockOrder[$0], blockRow[$0], blockCount[$0]) }
    }

    /// Modulated inputs r ⊙ x, [E, M, C_in]: the input of the first GEMMs, and of the
    /// weight gradients in `backward`. The network computes them fused with the rotation
    /// into the edge frame (`EdgeRotations.rotateIn(_:channels:nodes:modulatedBy:of:...)`);
    /// this is the definition that fused path is tested against.
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
        // dL/d(xm), written by the GEMMs; unmodulated, that is dx itself
        let dxm = r != nil && (dx != nil || dr != nil) ? Buffer<T>(uninitialized: edges * layout.count * inputs) : nil
        backward(x, radial: r, modulated: xm, dy, edges: edges, params: params, grad: grad,
                 dxm: dxm?.p ?? (r == nil ? dx : nil), dx: dx, dr: dr)
    }

    /// `backward` for a modulated input, using the modulated inputs' buffer as its
    /// scratch: on return xm holds dx. Saves two buffers of the inputs' size.
    public func backward<T: NetworkScalar>(_ x: UnsafePointer<T>, radial r: UnsafePointer<T>, overwriting xm: UnsafeMutablePointer<T>,
                                           _ dy: UnsafePointer<T>, edges: Int, params: UnsafePointer<T>,
                                           grad: UnsafeMutablePointer<T>, dr: UnsafeMutablePointer<T>?) {
        backward(x, radial: r, modulated: xm, dy, edges: edges, params: params, grad: grad, dxm: xm, dx: xm, dr: dr)
    }

    /// The two above. dxm may be xm itself: each block's weight gradient reads its rows of
    /// xm before the block's input gradient overwrites them (blocks own disjoint rows).
    /// dx may be dxm itself: each block's dr is taken before dx replaces dxm there.
    func backward<T: NetworkScalar>(_ x: UnsafePointer<T>, radial r: UnsafePointer<T>?, modulated xm: UnsafePointer<T>,
                                    _ dy: UnsafePointer<T>, edges: Int, params: UnsafePointer<T>, grad: UnsafeMutablePointer<T>,
                                    dxm: UnsafeMutablePointer<T>?, dx: UnsafeMutablePointer<T>?, dr: UnsafeMutablePointer<T>?) {
        let M = layout.count, ci = inputs, co = outputs, rw = radialWidth
        T.sumRows(dy, rows: edges, columns: (layout.lmax + 1) * co, stride: M * co, into: grad + bias)
        for (m, row, n) in blocksList {
            T.gemm(transA: true, transB: false, m: n * ci, n: n * co, k: edges, alpha: 1, a: xm + row * ci,
                   lda: M * ci, b: dy + row * co, ldb: M * co, beta: 1, c: grad + weights[m], ldc: n * co)
            if let dxm {
                T.gemm(transA: false, transB: true, m: edges, n: n * ci, k: n * co, alpha: 1, a: dy + row * co,
                       lda: M * co, b: params + weights[m], ldb: n * co, beta: 0, c: dxm + row * ci, ldc: M * ci)
            }
        }
        guard let r, let dm = dxm else {
            if let dr { dr.update(repeating: 0, count: edges * rw) }
            return
        }
        // xm = r ⊙ x: dr = Σ over the ±m blocks of x ⊙ dxm, then dx = r ⊙ dxm. The blocks
        // are m = 0, then +1, −1, +2, −2, …: the m = 0 and +m blocks write dr, the −m add.
        for e in 0..<edges {
            for b in 0..<blockOrder.count {
                let base = (e * M + blockRow[b]) * ci, count = blockCount[b] * ci
                let ro = e * rw + radialOffsets[blockOrder[b]]
                if let dr {
                    if b == 0 || b % 2 == 1 {
                        T.multiply(dm + base, x + base, count: count, into: dr + ro)
                    } else {
                        T.multiplyAdd(dm + base, x + base, count: count, into: dr + ro)
                    }
                }
                if let dx { T.multiply(dm + base, r + ro, count: count, into: dx + base) }
            }
        }
    }
}
