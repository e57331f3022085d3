import CX3Support
import Testing
import X3Core
import X3Network
import X3TestSupport

/// The vectorised per-edge rotation kernels (edge_rotations.c) against straightforward
/// loops: the kernels' own contract on random rotation tables at every width this CPU has
/// (bit-identical across widths), and EdgeRotations in Float (the kernels) against
/// EdgeRotations in Double (the Swift loops that define them) on random edges.
struct EdgeRotationKernelTests {
    init() throws { try requireBLAS() }

    /// A random table: 3 edges' worth of rows of widths 1, 3 and 5 reading full rows 0, 1
    /// and 4, writing m-major rows in a shuffled order.
    struct Table {
        var blocks: [Float], coef: [Int32], width: [Int32], src0: [Int32], dst: [Int32]
        let perEdge: Int
    }

    static func table(edges: Int, rng: inout SplitMix) -> Table {
        let widths: [Int32] = [1, 3, 3, 5, 5, 5], src: [Int32] = [0, 1, 1, 4, 4, 4], dst: [Int32] = [3, 0, 5, 1, 4, 2]
        var coef: [Int32] = [], o: Int32 = 0
        for w in widths { coef.append(o); o += w }
        let blocks = (0..<(Int(o) * edges)).map { _ in Float(Double.random(in: -1...1, using: &rng)) }
        return Table(blocks: blocks, coef: coef, width: widths, src0: src, dst: dst, perEdge: Int(o))
    }

    static func withRotation<R>(_ t: Table, _ body: (UnsafePointer<x3s_rotation>) -> R) -> R {
        t.blocks.withUnsafeBufferPointer { b in t.coef.withUnsafeBufferPointer { c in t.width.withUnsafeBufferPointer { w in
            t.src0.withUnsafeBufferPointer { s in t.dst.withUnsafeBufferPointer { d in
                var r = x3s_rotation(blocks: b.baseAddress, per_edge: Int64(t.perEdge), rows: Int64(t.coef.count),
                                     coef: c.baseAddress, width: w.baseAddress, src0: s.baseAddress, dst: d.baseAddress)
                return withUnsafePointer(to: &r) { body($0) }
            }}
        }}}
    }

    // 9 full rows (lmax 2) per node, 6 m-major rows per edge; 37 channels: full vectors of
    // every width and a tail
    @Test func kernelsFollowTheirDefinitionAtEveryWidth() {
        var rng = SplitMix(state: 3)
        let E = 23, N = 7, K = 9, M = 6, c = 37, outC = 2 * c + 3, c0 = c + 1
        let t = Self.table(edges: E, rng: &rng)
        let nodes = (0..<E).map { _ in Int32(Int.random(in: 0..<N, using: &rng)) }
        let x = (0..<(N * K * c)).map { _ in Float(Double.random(in: -1...1, using: &rng)) }
        let g = (0..<(E * M * outC)).map { _ in Float(Double.random(in: -1...1, using: &rng)) }
        // definitions, in Double
        var inRef = [Double](repeating: 0, count: E * M * outC), backRef = [Double](repeating: 0, count: N * K * c)
        for e in 0..<E {
            for r in 0..<M {
                let w = Int(t.width[r]), co = e * t.perEdge + Int(t.coef[r])
                for ch in 0..<c {
                    var acc = 0.0
                    for j in 0..<w { acc += Double(t.blocks[co + j]) * Double(x[(Int(nodes[e]) * K + Int(t.src0[r]) + j) * c + ch]) }
                    inRef[(e * M + Int(t.dst[r])) * outC + c0 + ch] = acc
                    for j in 0..<w {
                        backRef[(Int(nodes[e]) * K + Int(t.src0[r]) + j) * c + ch] +=
                            Double(t.blocks[co + j]) * 0.5 * Double(g[(e * M + Int(t.dst[r])) * outC + c0 + ch])
                    }
                }
            }
        }
        var first: ([Float], [Float])?
        for width in [4, 8, 16] {
            var out = [Float](repeating: 0, count: E * M * outC), back = [Float](repeating: 0, count: N * K * c)
            let ran = Self.withRotation(t) { r in
                x3s_rotate_in_at_width(Int32(width), r, Int64(E), x, Int64(K), nodes, Int64(c), nil, &out, nil, Int64(M), Int64(outC),
                                       Int64(c0))
            }
            if ran == 0 { continue }
            _ = Self.withRotation(t) { r in
                x3s_rotate_back_at_width(Int32(width), r, Int64(E), g, Int64(M), Int64(outC), Int64(c0), nodes, 0.5, 0,
                                         &back, Int64(K), Int64(c))
            }
            var worst = 0.0
            for i in out.indices where (i % outC) >= c0 && (i % outC) < c0 + c { worst = max(worst, abs(Double(out[i]) - inRef[i])) }
            for i in back.indices { worst = max(worst, abs(Double(back[i]) - backRef[i])) }
            #expect(worst < 1e-5, "width \(width): max error \(worst)")
            // channels outside [c0, c0 + c) are left alone
            #expect(out.indices.allSatisfy { ($0 % outC) >= c0 && ($0 % outC) < c0 + c || out[$0] == 0 })
            // fused with a modulation: each modulated value is the rotated value times its
            // weight, rounded once, with or without the unmodulated output
            let stride = M * outC + 5, offsets = (0..<M).map { Int32($0 * outC + 2) }
            let weights = (0..<(E * stride)).map { _ in Float(Double.random(in: -2...2, using: &rng)) }
            var both = [Float](repeating: 0, count: E * M * outC), modulated = both, alone = both
            weights.withUnsafeBufferPointer { wp in offsets.withUnsafeBufferPointer { op in
                var mod = x3s_modulation(weights: wp.baseAddress, stride: Int64(stride), offset: op.baseAddress)
                _ = Self.withRotation(t) { r in
                    x3s_rotate_in_at_width(Int32(width), r, Int64(E), x, Int64(K), nodes, Int64(c), &mod, &both, &modulated,
                                           Int64(M), Int64(outC), Int64(c0))
                }
                _ = Self.withRotation(t) { r in
                    x3s_rotate_in_at_width(Int32(width), r, Int64(E), x, Int64(K), nodes, Int64(c), &mod, nil, &alone,
                                           Int64(M), Int64(outC), Int64(c0))
                }
            }}
            func differences(_ a: [Float], _ b: [Float]) -> Int { zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count }
            #expect(differences(both, out) == 0, "width \(width): the unmodulated values")
            #expect(differences(alone, modulated) == 0, "width \(width): modulated values without the unmodulated")
            var expected = [Float](repeating: 0, count: E * M * outC)
            for e in 0..<E { for p in 0..<M { for ch in c0..<(c0 + c) {
                expected[(e * M + p) * outC + ch] = out[(e * M + p) * outC + ch] * weights[e * stride + Int(offsets[p]) + ch]
            }}}
            #expect(differences(modulated, expected) == 0, "width \(width): modulated values")
            if let first {
                #expect(out.map(\.bitPattern) == first.0.map(\.bitPattern) && back.map(\.bitPattern) == first.1.map(\.bitPattern),
                        "width \(width) differs from width 4")
            } else {
                first = (out, back)
            }
        }
        #expect(first != nil)
    }

    /// The fused rotate-in-and-modulate (what the network's first convolution reads)
    /// gives exactly `rotateIn` followed by `SO2Convolution.modulate`, in Float (the
    /// kernel) and in Double (the loops).
    @Test(arguments: [(3, 2, 32), (4, 2, 13)])
    func fusedModulationEqualsRotateInThenModulate(lmax: Int, mmax: Int, c: Int) {
        for double in [false, true] {
            if double { check(Double.self) } else { check(Float.self) }
        }
        func check<T: NetworkScalar>(_: T.Type) {
            var rng = SplitMix(state: UInt64(lmax * 100 + c))
            let layout = CoefficientLayout(lmax: lmax, mmax: mmax)
            var params = ParameterStore<T>()
            let conv = SO2Convolution("conv", layout: layout, inputs: 2 * c, outputs: 5, params: &params, rng: &rng)
            let E = 29, N = 6, K = layout.fullCount, M = layout.count
            let vectors = (0..<E).map { _ in
                Vec3(Double.random(in: -3...3, using: &rng), Double.random(in: -3...3, using: &rng), Double.random(in: -3...3, using: &rng))
            }
            let source = (0..<E).map { _ in Int32(Int.random(in: 0..<N, using: &rng)) }
            let target = (0..<E).map { _ in Int32(Int.random(in: 0..<N, using: &rng)) }
            let x = (0..<(N * K * c)).map { _ in T(Double.random(in: -1...1, using: &rng)) }
            let radial = (0..<(E * conv.radialWidth)).map { _ in T(Double.random(in: -2...2, using: &rng)) }
            let rot = EdgeRotations<T>(vectors: vectors, layout: layout)
            var xe = [T](repeating: 0, count: E * M * 2 * c), fusedXe = xe, fused = xe
            x.withUnsafeBufferPointer { xp in radial.withUnsafeBufferPointer { rp in
                for (nodes, offset) in [(source, 0), (target, c)] {
                    rot.rotateIn(xp.baseAddress!, channels: c, nodes: nodes, into: &xe, outChannels: 2 * c, channelOffset: offset)
                    rot.rotateIn(xp.baseAddress!, channels: c, nodes: nodes, modulatedBy: rp.baseAddress!, of: conv,
                                 into: &fusedXe, modulated: &fused, outChannels: 2 * c, channelOffset: offset)
                }
            }}
            let xm = xe.withUnsafeBufferPointer { xp in
                radial.withUnsafeBufferPointer { conv.modulate(xp.baseAddress!, radial: $0.baseAddress!, edges: E) }
            }
            #expect(zip(fusedXe, xe).filter { $0 != $1 }.count == 0, "\(T.self): the unmodulated rows")
            #expect(zip(fused, xm).filter { $0 != $1 }.count == 0, "\(T.self): the modulated rows")
        }
    }

    @Test(arguments: [(3, 2, 32), (4, 2, 24), (6, 2, 16)])
    func floatKernelsMatchTheDoubleLoops(lmax: Int, mmax: Int, c: Int) {
        var rng = SplitMix(state: UInt64(lmax * 10 + c))
        let layout = CoefficientLayout(lmax: lmax, mmax: mmax)
        let E = 41, N = 9, K = layout.fullCount, M = layout.count
        let vectors = (0..<E).map { _ in
            Vec3(Double.random(in: -3...3, using: &rng), Double.random(in: -3...3, using: &rng), Double.random(in: -3...3, using: &rng))
        }
        let source = (0..<E).map { _ in Int32(Int.random(in: 0..<N, using: &rng)) }
        let x = (0..<(N * K * c)).map { _ in Double.random(in: -1...1, using: &rng) }
        let m = (0..<(E * M * c)).map { _ in Double.random(in: -1...1, using: &rng) }
        func run<T: NetworkScalar>(_: T.Type) -> [[Double]] {
            let rot = EdgeRotations<T>(vectors: vectors, layout: layout)
            let xt = x.map { T($0) }, mt = m.map { T($0) }
            var inOut = [T](repeating: 0, count: E * M * 2 * c), outOut = [T](repeating: 0, count: E * K * c)
            var inBack = [T](repeating: 0, count: N * K * c), outBack = [T](repeating: 0, count: E * M * c)
            var scattered = [T](repeating: 0, count: N * K * c)
            xt.withUnsafeBufferPointer { xp in mt.withUnsafeBufferPointer { mp in
                rot.rotateIn(xp.baseAddress!, channels: c, nodes: source, into: &inOut, outChannels: 2 * c, channelOffset: c)
                rot.rotateOut(mp.baseAddress!, channels: c, into: &outOut)
                inOut.withUnsafeBufferPointer { ip in
                    rot.rotateInBackward(ip.baseAddress!, outChannels: 2 * c, channelOffset: c, nodes: source, into: &inBack, channels: c)
                }
                outOut.withUnsafeBufferPointer { op in rot.rotateOutBackward(op.baseAddress!, channels: c, into: &outBack) }
                rot.rotateOutScatter(mp.baseAddress!, channels: c, targets: source, scale: T(0.3), into: &scattered)
            }}
            return [inOut, outOut, inBack, outBack, scattered].map { $0.map { Double($0) } }
        }
        let f = run(Float.self), d = run(Double.self)
        // the fused rotate-out-and-sum is rotateOut followed by the sum over target nodes
        var summed = [Double](repeating: 0, count: N * K * c)
        for e in 0..<E { for q in 0..<(K * c) { summed[Int(source[e]) * K * c + q] += 0.3 * d[1][e * K * c + q] } }
        #expect(zip(summed, d[4]).map { abs($0 - $1) }.max()! < 1e-12)
        for (k, name) in ["rotateIn", "rotateOut", "rotateInBackward", "rotateOutBackward", "rotateOutScatter"].enumerated() {
            let worst = zip(f[k], d[k]).map { abs($0 - $1) }.max()!, scale = d[k].map { abs($0) }.max()!
            #expect(worst <= 2e-6 * max(1, scale), "\(name), lmax \(lmax): max error \(worst) on values up to \(scale)")
        }
    }
}
