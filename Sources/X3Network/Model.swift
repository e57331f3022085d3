import X3Core
#if canImport(Glibc)
import Glibc
#endif

/// Number of species rows in embedding tables: 0 = probe, 1…96 = elements.
let speciesCount = Elements.maxZ + 1

/// An EquiformerV2-style equivariant graph transformer over window graphs (`GraphBatch`),
/// generic over its scalar type (Float for work, Double for checks).
public struct EquiformerModel<T: NetworkScalar>: Sendable {
    public let config: ModelConfig
    public var params: ParameterStore<T>
    /// What the model is for (units, conditions, strong end, data, metrics); model files
    /// keep it, and a new model has none.
    public var card: ModelCard?
    public let layout: CoefficientLayout
    let basis: RadialBasis
    let nodeEmbedding: Int, sourceEmbedding: Int, targetEmbedding: Int
    let degreeMLP: RadialMLP
    let blocks: [Block]
    let finalNorm: EquivariantRMSNorm
    let readout1: Linear, readout2: Linear

    struct Block: Sendable {
        let norm1: EquivariantRMSNorm
        let radial: RadialMLP
        let conv1: SO2Convolution
        let alphaNorm: LayerNorm
        let alphaLinear: Linear
        let gate: ActivationLayer
        let conv2: SO2Convolution
        let proj: SO3Linear
        let norm2: EquivariantRMSNorm
        let ffn1: SO3Linear
        let ffnGate: ActivationLayer
        let ffn2: SO3Linear
    }

    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    public init(config: ModelConfig) throws {
        let n = try EquiformerModel<T>.parameterCount(config)
        guard n <= ModelConfig.maxParameters else {
            throw X3Error(.outOfMemory, "model configuration: \(n) parameters, more than the cap of "
                + "\(ModelConfig.maxParameters) (the paper's largest model has 52 million)")
        }
        try self.init(config: config, allocating: true)
    }

    /// Number of parameters a configuration defines, found without allocating them.
    public static func parameterCount(_ config: ModelConfig) throws -> Int {
        try EquiformerModel<T>(config: config, allocating: false).params.count
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    init(config: ModelConfig, allocating: Bool) throws {
        try config.validate()
        self.config = config
        var rng = SplitMix64(seed: config.seed)
        var p = ParameterStore<T>(allocates: allocating)
        let L = config.lmax, C = config.channels, Ch = config.attentionChannels
        let Cv = config.heads * config.valueChannelsPerHead
        layout = CoefficientLayout(lmax: L, mmax: config.mmax)
        basis = RadialBasis(count: config.radialBasis, cutoff: config.cutoff)
        func normal(_ scale: Double) -> (Int) -> T {
            { _ in T(scale * gaussian(&rng)) }
        }
        nodeEmbedding = p.add("embedding.node", shape: [speciesCount, C], normal(1))
        sourceEmbedding = p.add("embedding.edge_source", shape: [speciesCount, config.edgeEmbedding], normal(1))
        targetEmbedding = p.add("embedding.edge_target", shape: [speciesCount, config.edgeEmbedding], normal(1))
        let edgeIn = config.radialBasis + 2 * config.edgeEmbedding
        degreeMLP = RadialMLP("embedding.degree", widths: [edgeIn, config.radialHidden, (L + 1) * C], params: &p, rng: &rng)
        // the S2 grids depend only on the sizes: built once, shared by every block
        let attentionS2 = config.activation == "s2" ? S2Activation(layout: layout, channels: Ch, resolution: config.s2Resolution) : nil
        let ffnS2 = config.activation == "s2" ? S2Activation(lmax: L, channels: config.ffnChannels, resolution: config.s2Resolution) : nil
        var bs: [Block] = []
        for b in 0..<config.blocks {
            let n = "block\(b)"
            let conv1 = SO2Convolution("\(n).attention.conv1", layout: layout, inputs: 2 * C, outputs: Ch, params: &p, rng: &rng)
            bs.append(Block(
                norm1: EquivariantRMSNorm("\(n).norm1", lmax: L, channels: C, params: &p),
                radial: RadialMLP("\(n).attention.radial", widths: [edgeIn, config.radialHidden, conv1.radialWidth], params: &p, rng: &rng),
                conv1: conv1,
                alphaNorm: LayerNorm("\(n).attention.alpha_norm", features: (L + 1) * Ch, params: &p),
                alphaLinear: Linear("\(n).attention.alpha", inputs: (L + 1) * Ch, outputs: config.heads, params: &p, rng: &rng),
                gate: attentionS2.map { .s2($0) } ?? .gate(GateActivation("\(n).attention.gate", layout: layout, channels: Ch, params: &p, rng: &rng)),
                conv2: SO2Convolution("\(n).attention.conv2", layout: layout, inputs: Ch, outputs: Cv, params: &p, rng: &rng),
                proj: SO3Linear("\(n).attention.proj", lmax: L, inputs: Cv, outputs: C, params: &p, rng: &rng),
                norm2: EquivariantRMSNorm("\(n).norm2", lmax: L, channels: C, params: &p),
                ffn1: SO3Linear("\(n).ffn.linear1", lmax: L, inputs: C, outputs: config.ffnChannels, params: &p, rng: &rng),
                ffnGate: ffnS2.map { .s2($0) } ?? .gate(GateActivation("\(n).ffn.gate", lmax: L, channels: config.ffnChannels, params: &p, rng: &rng)),
                ffn2: SO3Linear("\(n).ffn.linear2", lmax: L, inputs: config.ffnChannels, outputs: C, params: &p, rng: &rng)))
        }
        blocks = bs
        finalNorm = EquivariantRMSNorm("final_norm", lmax: L, channels: C, params: &p)
        readout1 = Linear("readout.linear1", inputs: C, outputs: config.readoutHidden, params: &p, rng: &rng)
        readout2 = Linear("readout.linear2", inputs: config.readoutHidden, outputs: config.targets.count, params: &p, rng: &rng)
        params = p
    }

    var K: Int { layout.fullCount }
    var M: Int { layout.count }
    var edgeInWidth: Int { config.radialBasis + 2 * config.edgeEmbedding }

    // MARK: forward

    /// Activations of one forward pass, for the backward pass.
    public final class Tape: @unchecked Sendable {
        public let batch: GraphBatch
        let rotations: EdgeRotations<T>
        var edgeIn: Buffer<T>
        var degreeCache = RadialMLP.Cache<T>()
        var blocks: [BlockTape] = []
        var xLast: Buffer<T>
        var xFinal: Buffer<T>
        var readIn: Buffer<T>, hidden: Buffer<T>, hiddenAct: Buffer<T>
        public var outputs: Buffer<T>

        init(batch: GraphBatch, rotations: EdgeRotations<T>) {
            self.batch = batch
            self.rotations = rotations
            edgeIn = Buffer(0); xLast = Buffer(0); xFinal = Buffer(0)
            readIn = Buffer(0); hidden = Buffer(0); hiddenAct = Buffer(0); outputs = Buffer(0)
        }
    }

    final class BlockTape: @unchecked Sendable {
        var xIn: Buffer<T>, h1: Buffer<T>, radCache = RadialMLP.Cache<T>()
        var y1: Buffer<T>, aNorm: Buffer<T>, att: Buffer<T>
        var g: Buffer<T>, v: Buffer<T>, msg: Buffer<T>, xMid: Buffer<T>, h2: Buffer<T>, f1: Buffer<T>, fg: Buffer<T>
        init() {
            xIn = Buffer(0); h1 = Buffer(0); y1 = Buffer(0)
            aNorm = Buffer(0); att = Buffer(0); g = Buffer(0); v = Buffer(0)
            msg = Buffer(0); xMid = Buffer(0); h2 = Buffer(0); f1 = Buffer(0); fg = Buffer(0)
        }
    }

    /// Per-window outputs [windows, targets] and the tape for `backward`.
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    public func forward(_ batch: GraphBatch) -> Tape {
        params.values.withUnsafeBufferPointer { forward(batch, P: $0.baseAddress!) }
    }

    /// Per-window outputs [windows, targets] (normalised units, as `forward(_:).outputs`)
    /// without recording the backward tape: each block's activations are released when
    /// the next block starts, so memory holds one block's worth. The pass prediction uses.
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    public func infer(_ batch: GraphBatch) -> [T] {
        params.values.withUnsafeBufferPointer { forward(batch, P: $0.baseAddress!, record: false).outputs.array }
    }

    func forward(_ batch: GraphBatch, P: UnsafePointer<T>, record: Bool = true) -> Tape {
        let tape = Tape(batch: batch, rotations: EdgeRotations<T>(vectors: batch.vectors, layout: layout))
        let N = batch.nodeCount, E = batch.edgeCount, C = config.channels, L = config.lmax
        // Edge inputs: radial basis ‖ source embedding ‖ target embedding.
        let nb = config.radialBasis, ne = config.edgeEmbedding, ew = edgeInWidth
        let edgeIn = Buffer<T>(E * ew)
        var phi = [T](repeating: 0, count: E * nb)
        phi.withUnsafeMutableBufferPointer { basis.evaluate(batch.lengths, into: $0.baseAddress!) }
        for e in 0..<E {
            for k in 0..<nb { edgeIn[e * ew + k] = phi[e * nb + k] }
            let s = Int(batch.species[Int(batch.source[e])]), t = Int(batch.species[Int(batch.target[e])])
            for k in 0..<ne {
                edgeIn[e * ew + nb + k] = P[sourceEmbedding + s * ne + k]
                edgeIn[e * ew + nb + ne + k] = P[targetEmbedding + t * ne + k]
            }
        }
        tape.edgeIn = edgeIn
        // Node embedding and edge-degree embedding.
        let x = Buffer<T>(N * K * C)
        for n in 0..<N { for c in 0..<C { x[n * K * C + c] = P[nodeEmbedding + Int(batch.species[n]) * C + c] } }
        let deg = degreeMLP.forward(edgeIn.p, rows: E, params: P, cache: &tape.degreeCache)
        // the m = 0 rows of each edge; the others stay zero
        let inFrame = Buffer<T>(E * M * C)
        for e in 0..<E { (inFrame.p + e * M * C).update(from: deg.p + e * (L + 1) * C, count: (L + 1) * C) }
        tape.rotations.rotateOutScatter(inFrame.p, channels: C, targets: batch.target, scale: T(1 / config.averageDegree),
                                        into: x.p)
        var cur = x
        for block in blocks {
            let bt = BlockTape()
            cur = forwardBlock(block, cur, tape: tape, bt: bt, P: P)
            if record { tape.blocks.append(bt) }
        }
        tape.xLast = cur
        let xf = Buffer<T>(N * K * C)
        finalNorm.forward(cur.p, rows: N, params: P, into: xf.p)
        tape.xFinal = xf
        // Readout: the probe's scalars, or the mean of the window's node scalars.
        let W = batch.windows
        let readIn = Buffer<T>(W * C)
        for w in 0..<W {
            if config.probe {
                let n = Int(batch.probe[w])
                for c in 0..<C { readIn[w * C + c] = xf[n * K * C + c] }
            } else {
                let lo = batch.nodeOffsets[w], hi = batch.nodeOffsets[w + 1]
                if hi > lo {
                    for n in lo..<hi { for c in 0..<C { readIn[w * C + c] += xf[n * K * C + c] } }
                    for c in 0..<C { readIn[w * C + c] /= T(hi - lo) }
                }
            }
        }
        let hidden = Buffer<T>(W * config.readoutHidden), act = Buffer<T>(W * config.readoutHidden)
        readout1.forward(readIn.p, rows: W, params: P, into: hidden.p)
        SiLU.forward(hidden.p, count: hidden.count, into: act.p)
        let out = Buffer<T>(W * config.targets.count)
        readout2.forward(act.p, rows: W, params: P, into: out.p)
        tape.readIn = readIn; tape.hidden = hidden; tape.hiddenAct = act; tape.outputs = out
        return tape
    }

    func forwardBlock(_ b: Block, _ x: Buffer<T>, tape: Tape, bt: BlockTape, P: UnsafePointer<T>) -> Buffer<T> {
        let batch = tape.batch
        let N = batch.nodeCount, E = batch.edgeCount, C = config.channels, L = config.lmax
        let Ch = config.attentionChannels, H = config.heads, Cvh = config.valueChannelsPerHead, Cv = H * Cvh
        bt.xIn = x
        // every buffer below is written entirely by the operation after it (hence
        // uninitialized), except msg, which accumulates over edges
        let h1 = Buffer<T>(uninitialized: N * K * C)
        b.norm1.forward(x.p, rows: N, params: P, into: h1.p)
        bt.h1 = h1
        // the edge inputs (source ‖ target, rotated into the edge frame), modulated by the
        // radial weights on the way; backward computes both again from h1 and the radial
        // MLP's cache rather than keep them (they are the largest activations)
        let rad = b.radial.forward(tape.edgeIn.p, rows: E, params: P, cache: &bt.radCache)
        let xm = Buffer<T>(uninitialized: E * M * 2 * C)
        edgeInputs(b, h1, radial: rad, tape: tape, into: nil, modulated: xm)
        let y1 = Buffer<T>(uninitialized: E * M * Ch)
        b.conv1.forward(modulated: xm.p, edges: E, params: P, into: y1.p)
        bt.y1 = y1
        // attention weights from the invariant (m = 0) outputs, softmax over incoming edges
        let aw = (L + 1) * Ch
        let aIn = Buffer<T>(uninitialized: E * aw), aNorm = Buffer<T>(uninitialized: E * aw)
        let aAct = Buffer<T>(uninitialized: E * aw), logits = Buffer<T>(uninitialized: E * H)
        for e in 0..<E { (aIn.p + e * aw).update(from: y1.p + e * M * Ch, count: aw) }
        b.alphaNorm.forward(aIn.p, rows: E, params: P, into: aNorm.p)
        SiLU.forward(aNorm.p, count: aNorm.count, into: aAct.p)
        b.alphaLinear.forward(aAct.p, rows: E, params: P, into: logits.p)
        let att = Buffer<T>(uninitialized: E * H)
        for n in 0..<N {
            let lo = batch.targetOffsets[n], hi = batch.targetOffsets[n + 1]
            if lo == hi { continue }
            for h in 0..<H {
                var mx = logits[lo * H + h]
                for e in lo..<hi { mx = max(mx, logits[e * H + h]) }
                var s: T = 0
                for e in lo..<hi { let v = T.exponential(logits[e * H + h] - mx); att[e * H + h] = v; s += v }
                for e in lo..<hi { att[e * H + h] /= s }
            }
        }
        // the norm's input (rows of y1) and the SiLU output are not kept: backward takes
        // them again from y1 and aNorm
        bt.aNorm = aNorm; bt.att = att
        // values: gate → SO(2) convolution → × attention → back to the global frame → Σ
        let g = Buffer<T>(uninitialized: E * M * Ch)
        b.gate.forward(y1.p, rows: E, params: P, into: g.p)
        bt.g = g
        let v = Buffer<T>(uninitialized: E * M * Cv)
        b.conv2.forward(modulated: g.p, edges: E, params: P, into: v.p)
        bt.v = v
        let vs = Buffer<T>(uninitialized: E * M * Cv)
        do {
            let vp = v.p, vsp = vs.p, ap = att.p
            for e in 0..<E { for r in 0..<M { for h in 0..<H {
                let a = ap[e * H + h], base = (e * M + r) * Cv + h * Cvh
                for c in 0..<Cvh { vsp[base + c] = vp[base + c] * a }
            }}}
        }
        let msg = Buffer<T>(N * K * Cv)
        tape.rotations.rotateOutScatter(vs.p, channels: Cv, targets: batch.target, scale: 1, into: msg.p)
        bt.msg = msg
        let xMid = Buffer<T>(uninitialized: N * K * C)
        b.proj.forward(msg.p, rows: N, params: P, into: xMid.p)
        T.add(x.p, count: xMid.count, into: xMid.p)
        bt.xMid = xMid
        // feed-forward
        let h2 = Buffer<T>(uninitialized: N * K * C), f1 = Buffer<T>(uninitialized: N * K * config.ffnChannels)
        let fg = Buffer<T>(uninitialized: N * K * config.ffnChannels)
        b.norm2.forward(xMid.p, rows: N, params: P, into: h2.p)
        b.ffn1.forward(h2.p, rows: N, params: P, into: f1.p)
        b.ffnGate.forward(f1.p, rows: N, params: P, into: fg.p)
        let out = Buffer<T>(uninitialized: N * K * C)
        b.ffn2.forward(fg.p, rows: N, params: P, into: out.p)
        T.add(xMid.p, count: out.count, into: out.p)
        bt.h2 = h2; bt.f1 = f1; bt.fg = fg
        return out
    }

    /// The first convolution's inputs from the normed node features h1: each edge's source
    /// and target rows rotated into its frame ([E, M, 2C], source channels first) into xe
    /// (unless nil), and the same times the radial weights into modulated.
    func edgeInputs(_ b: Block, _ h1: Buffer<T>, radial: Buffer<T>, tape: Tape, into xe: Buffer<T>?,
                    modulated: Buffer<T>) {
        let C = config.channels, batch = tape.batch
        for (nodes, offset) in [(batch.source, 0), (batch.target, C)] {
            tape.rotations.rotateIn(h1.p, channels: C, nodes: nodes, modulatedBy: radial.p, of: b.conv1, into: xe?.p,
                                    modulated: modulated.p, outChannels: 2 * C, channelOffset: offset)
        }
    }

    // MARK: backward

    /// Gradients of a loss with respect to every parameter, given dL/d(outputs)
    /// [windows, targets]; accumulated into `grad` (same layout as `params.values`).
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    public func backward(_ tape: Tape, outputGradient dOut: [T], into grad: inout [T]) {
        precondition(grad.count == params.count)
        grad.withUnsafeMutableBufferPointer { backward(tape, outputGradient: dOut, into: $0.baseAddress!) }
    }

    /// `backward` into `params.count` gradient values at G (added to them).
    public func backward(_ tape: Tape, outputGradient dOut: [T], into G: UnsafeMutablePointer<T>) {
        let batch = tape.batch
        let N = batch.nodeCount, E = batch.edgeCount, C = config.channels, L = config.lmax, W = batch.windows
        precondition(dOut.count == W * config.targets.count)
        params.values.withUnsafeBufferPointer { pp in
            let P = pp.baseAddress!
            let dOutB = Buffer(dOut)
            let dAct = Buffer<T>(W * config.readoutHidden), dHidden = Buffer<T>(W * config.readoutHidden)
            readout2.backward(tape.hiddenAct.p, dOutB.p, rows: W, params: P, grad: G, dx: dAct.p)
            SiLU.backward(tape.hidden.p, dAct.p, count: dAct.count, dx: dHidden.p)
            let dRead = Buffer<T>(W * C)
            readout1.backward(tape.readIn.p, dHidden.p, rows: W, params: P, grad: G, dx: dRead.p)
            let dxf = Buffer<T>(N * K * C)
            for w in 0..<W {
                if config.probe {
                    let n = Int(batch.probe[w])
                    for c in 0..<C { dxf[n * K * C + c] += dRead[w * C + c] }
                } else {
                    let lo = batch.nodeOffsets[w], hi = batch.nodeOffsets[w + 1]
                    for n in lo..<hi { for c in 0..<C { dxf[n * K * C + c] += dRead[w * C + c] / T(hi - lo) } }
                }
            }
            var dx = Buffer<T>(N * K * C)
            finalNorm.backward(tape.xLast.p, dxf.p, rows: N, params: P, grad: G, dx: dx.p)
            let dEdgeIn = Buffer<T>(E * edgeInWidth)
            for (b, bt) in zip(blocks, tape.blocks).reversed() {
                dx = backwardBlock(b, bt, dx, tape: tape, dEdgeIn: dEdgeIn, P: P, G: G)
            }
            // edge-degree embedding
            // the adjoint of rotate-out-and-sum: rotate in from the target nodes
            let scale = T(1 / config.averageDegree)
            let dInFrame = Buffer<T>(uninitialized: E * M * C)
            tape.rotations.rotateIn(dx.p, channels: C, nodes: batch.target, into: dInFrame.p, outChannels: C, channelOffset: 0)
            let dDeg = Buffer<T>(uninitialized: E * (L + 1) * C)
            for e in 0..<E { for q in 0..<((L + 1) * C) { dDeg[e * (L + 1) * C + q] = scale * dInFrame[e * M * C + q] } }
            let dEdge2 = degreeMLP.backward(tape.edgeIn.p, dDeg.p, rows: E, params: P, grad: G, cache: tape.degreeCache)
            T.add(dEdge2.p, count: dEdge2.count, into: dEdgeIn.p)
            // node embedding
            for n in 0..<N {
                let s = Int(batch.species[n])
                for c in 0..<C { G[nodeEmbedding + s * C + c] += dx[n * K * C + c] }
            }
            // edge embeddings
            let nb = config.radialBasis, ne = config.edgeEmbedding, ew = edgeInWidth
            for e in 0..<E {
                let s = Int(batch.species[Int(batch.source[e])]), t = Int(batch.species[Int(batch.target[e])])
                for k in 0..<ne {
                    G[sourceEmbedding + s * ne + k] += dEdgeIn[e * ew + nb + k]
                    G[targetEmbedding + t * ne + k] += dEdgeIn[e * ew + nb + ne + k]
                }
            }
        }
    }

    func backwardBlock(_ b: Block, _ bt: BlockTape, _ dOut: Buffer<T>, tape: Tape, dEdgeIn: Buffer<T>,
                       P: UnsafePointer<T>, G: UnsafeMutablePointer<T>) -> Buffer<T> {
        let batch = tape.batch
        let N = batch.nodeCount, E = batch.edgeCount, C = config.channels, L = config.lmax
        let Ch = config.attentionChannels, H = config.heads, Cvh = config.valueChannelsPerHead, Cv = H * Cvh
        let Cf = config.ffnChannels
        // feed-forward: out = xMid + ffn2(gate(ffn1(norm2(xMid))))
        // every gradient buffer below is written entirely by the operation after it, except
        // dh1, which accumulates over edges
        let dfg = Buffer<T>(uninitialized: N * K * Cf), df1 = Buffer<T>(uninitialized: N * K * Cf)
        let dh2 = Buffer<T>(uninitialized: N * K * C)
        b.ffn2.backward(bt.fg.p, dOut.p, rows: N, params: P, grad: G, dx: dfg.p)
        b.ffnGate.backward(bt.f1.p, dfg.p, rows: N, params: P, grad: G, dx: df1.p)
        b.ffn1.backward(bt.h2.p, df1.p, rows: N, params: P, grad: G, dx: dh2.p)
        let dxMid = Buffer<T>(uninitialized: N * K * C)
        b.norm2.backward(bt.xMid.p, dh2.p, rows: N, params: P, grad: G, dx: dxMid.p)
        T.add(dOut.p, count: dxMid.count, into: dxMid.p)
        // attention: xMid = xIn + proj(msg)
        let dmsg = Buffer<T>(uninitialized: N * K * Cv)
        b.proj.backward(bt.msg.p, dxMid.p, rows: N, params: P, grad: G, dx: dmsg.p)
        // the adjoint of rotate-out-and-sum: rotate in from the target nodes
        let dvs = Buffer<T>(uninitialized: E * M * Cv)
        tape.rotations.rotateIn(dmsg.p, channels: Cv, nodes: batch.target, into: dvs.p, outChannels: Cv, channelOffset: 0)
        let dv = Buffer<T>(uninitialized: E * M * Cv), datt = Buffer<T>(uninitialized: E * H)
        do {
            let dvp = dv.p, dvsp = dvs.p, vp = bt.v.p, ap = bt.att.p, dap = datt.p
            for e in 0..<E { for h in 0..<H {
                let a = ap[e * H + h]
                var acc: T = 0
                for r in 0..<M {
                    let base = (e * M + r) * Cv + h * Cvh
                    for c in 0..<Cvh {
                        let g = dvsp[base + c]
                        dvp[base + c] = g * a
                        acc += g * vp[base + c]
                    }
                }
                dap[e * H + h] = acc
            }}
        }
        let dg = Buffer<T>(uninitialized: E * M * Ch)
        b.conv2.backward(bt.g.p, radial: nil, modulated: bt.g.p, dv.p, edges: E, params: P, grad: G, dx: dg.p, dr: nil)
        let dy1 = Buffer<T>(uninitialized: E * M * Ch)
        b.gate.backward(bt.y1.p, dg.p, rows: E, params: P, grad: G, dx: dy1.p)
        // softmax backward per target and head: dlogit = a (datt − Σ a datt)
        let dlogits = Buffer<T>(uninitialized: E * H)
        for n in 0..<N {
            let lo = batch.targetOffsets[n], hi = batch.targetOffsets[n + 1]
            for h in 0..<H {
                var s: T = 0
                for e in lo..<hi { s += bt.att[e * H + h] * datt[e * H + h] }
                for e in lo..<hi { dlogits[e * H + h] = bt.att[e * H + h] * (datt[e * H + h] - s) }
            }
        }
        let aw = (L + 1) * Ch
        let daAct = Buffer<T>(uninitialized: E * aw), daNorm = Buffer<T>(uninitialized: E * aw)
        let daIn = Buffer<T>(uninitialized: E * aw)
        let aIn = Buffer<T>(uninitialized: E * aw), aAct = Buffer<T>(uninitialized: E * aw)
        for e in 0..<E { (aIn.p + e * aw).update(from: bt.y1.p + e * M * Ch, count: aw) }
        SiLU.forward(bt.aNorm.p, count: aAct.count, into: aAct.p)
        b.alphaLinear.backward(aAct.p, dlogits.p, rows: E, params: P, grad: G, dx: daAct.p)
        SiLU.backward(bt.aNorm.p, daAct.p, count: daAct.count, dx: daNorm.p)
        b.alphaNorm.backward(aIn.p, daNorm.p, rows: E, params: P, grad: G, dx: daIn.p)
        for e in 0..<E { T.add(daIn.p + e * aw, count: aw, into: dy1.p + e * M * Ch) }
        let drad = Buffer<T>(uninitialized: E * b.conv1.radialWidth)
        let rad = b.radial.outputs(tape.edgeIn.p, rows: E, params: P, cache: bt.radCache)
        let xe = Buffer<T>(uninitialized: E * M * 2 * C), xm = Buffer<T>(uninitialized: E * M * 2 * C)
        edgeInputs(b, bt.h1, radial: rad, tape: tape, into: xe, modulated: xm)
        // xm's buffer receives dL/d(xe)
        b.conv1.backward(xe.p, radial: rad.p, overwriting: xm.p, dy1.p, edges: E, params: P, grad: G, dr: drad.p)
        let dxe = xm
        let dEdge = b.radial.backward(tape.edgeIn.p, drad.p, rows: E, params: P, grad: G, cache: bt.radCache)
        T.add(dEdge.p, count: dEdge.count, into: dEdgeIn.p)
        let dh1 = Buffer<T>(N * K * C)
        tape.rotations.rotateInBackward(dxe.p, outChannels: 2 * C, channelOffset: 0, nodes: batch.source, into: dh1.p, channels: C)
        tape.rotations.rotateInBackward(dxe.p, outChannels: 2 * C, channelOffset: C, nodes: batch.target, into: dh1.p, channels: C)
        let dxIn = Buffer<T>(uninitialized: N * K * C)
        b.norm1.backward(bt.xIn.p, dh1.p, rows: N, params: P, grad: G, dx: dxIn.p)
        T.add(dxMid.p, count: dxIn.count, into: dxIn.p)
        return dxIn
    }
}

/// A standard normal deviate (Box–Muller).
func gaussian(_ rng: inout SplitMix64) -> Double {
    let u1 = Double.random(in: Double.leastNonzeroMagnitude..<1, using: &rng), u2 = Double.random(in: 0..<1, using: &rng)
    return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
}
