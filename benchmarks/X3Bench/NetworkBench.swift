// Network throughput: forward and forward+backward windows/s on real windows, peak memory,
// the share of time in sgemm and the GFLOP/s achieved (sgemm's operations, and with those
// of the fused S2 activation kernel, which replaces GEMMs), next to the sgemm peak
// measured in the same process.
//
//   x3mat-bench network CONFIG DATASET [BATCH]
//     CONFIG: default | large | small | paper;  DATASET: zeolite (IZA MEL, R 6 Å) | mof (CoRE ABAVIJ, R 6 Å)
//
// small and paper match the reference PyTorch EquiformerV2 configurations of
// ../shared/peer (benchmarks/peer.sh runs the two side by side): small is lmax 3, mmax 2,
// 32 channels, 3 blocks, 4 heads × 8 value channels, FFN 64, S2 activation; paper is lmax
// 6, mmax 2, 128 channels, 8 blocks, 8 heads × 16, attention 64, FFN 128, S2 activation.
// The S2 grid: 5 Gauss-Legendre latitudes × 10 longitudes (50 points; the reference uses
// 8 × 5 on edges and 8 × 9 on nodes for lmax 3), 10 × 20 for paper (the reference: 18).
import CX3Support
import X3Core
import X3Network
import X3Windows

func realWindows(_ path: String, radius: Double, step: Double, limit: Int) throws -> [GraphBatch.Window] {
    let s = try CIFReader.read(path: path)
    let ws = try WindowSampler.sample(s, radius: radius, step: step)
    return Array(GraphBatch.Window.all(ws).prefix(limit))
}

func sgemmPeak() -> Double {
    let n = 1024
    var a = [Float](repeating: 0.5, count: n * n), c = a
    let b = a
    x3s_sgemm(0, 0, Int32(n), Int32(n), Int32(n), 1, a, Int32(n), b, Int32(n), 0, &c, Int32(n))
    let t0 = now()
    for _ in 0..<5 { x3s_sgemm(0, 0, Int32(n), Int32(n), Int32(n), 1, a, Int32(n), b, Int32(n), 0, &c, Int32(n)) }
    a[0] = c[0]
    return 2 * Double(n * n * n) * 5 / (now() - t0) / 1e9
}

/// The configurations of the network benchmark (see the top of this file).
func benchConfig(_ name: String) throws -> ModelConfig {
    switch name {
    case "default": return ModelConfig()
    case "large": return ModelConfig.large
    case "small":
        var c = ModelConfig()
        c.blocks = 3; c.activation = "s2"; c.s2Resolution = 5
        return c
    case "paper":
        var c = ModelConfig.large
        c.activation = "s2"; c.s2Resolution = 10
        return c
    default: throw X3Error(.invalidArgument, "network config '\(name)': use default, large, small or paper")
    }
}

/// The tape-free pass (`infer`, what prediction runs) of several batches, one per thread.
func inferParts(_ model: EquiformerModel<Float>, _ parts: [GraphBatch], threads: Int) -> [[Float]] {
    let results = TaskResults<[Float]>(count: parts.count)
    parallelFor(tasks: parts.count, threads: threads) { i in results[i] = model.infer(parts[i]) }
    return (0..<parts.count).map { results[$0]! }
}

func benchNetwork(data: String, configName: String, dataset: String, batchSize: Int) throws {
    try requireBLAS()
    let config = try benchConfig(configName)
    let path = dataset == "mof" ? "\(data)/coremof/cif/ABAVIJ_clean.cif" : "\(data)/iza/cif/MEL.cif"
    let peak = sgemmPeak()
    let model = try EquiformerModel<Float>(config: config)
    let windows = try realWindows(path, radius: 6, step: 2, limit: batchSize)
    let threads = X3Threads.count
    let parts = model.batches(windows, parts: threads)
    let nodes = parts.map(\.nodeCount).reduce(0, +), edges = parts.map(\.edgeCount).reduce(0, +)
    print("network \(configName) (lmax \(config.lmax), mmax \(config.mmax), \(config.channels) channels, \(config.blocks) blocks, "
          + "\(model.params.count) parameters) on \(dataset): \(windows.count) windows, \(nodes) nodes, \(edges) edges, "
          + "\(threads) data-parallel threads")
    // forward: the tape-free pass prediction uses; forward+backward: the training
    // forward (which records the tape) and the backward
    var ti = Double.infinity, tf = Double.infinity, tb = Double.infinity
    var grad = [Float](repeating: 0, count: model.params.count)
    var gemmI = (0.0, 0.0, 0.0), gemmF = (0.0, 0.0, 0.0), gemmB = (0.0, 0.0, 0.0)
    func counted() -> (Double, Double, Double) { (GEMMStats.totals.seconds, GEMMStats.totals.flops, GEMMStats.totals.kernelFlops) }
    for run in 0..<3 {
        GEMMStats.enabled = run == 2
        GEMMStats.reset()
        var t0 = now()
        _ = inferParts(model, parts, threads: threads)
        ti = min(ti, now() - t0)
        if run == 2 { gemmI = counted() }
        GEMMStats.reset()
        t0 = now()
        let tapes = model.forward(parts, threads: threads)
        tf = min(tf, now() - t0)
        if run == 2 { gemmF = counted() }
        GEMMStats.reset()
        t0 = now()
        model.backward(tapes, outputGradients: parts.map { [Float](repeating: 1, count: $0.windows * config.targets.count) },
                       into: &grad, threads: threads)
        tb = min(tb, now() - t0)
        if run == 2 { gemmB = counted() }
    }
    GEMMStats.enabled = false
    let w = Double(windows.count), th = Double(threads)
    // GFLOP/s over the whole pass: sgemm's operations, and with the fused S2 kernel's
    func rates(_ c: (Double, Double, Double), _ t: Double) -> String {
        "\(formatFixed(c.1 / t / 1e9, 1)) GFLOP/s overall in sgemm, \(formatFixed((c.1 + c.2) / t / 1e9, 1)) with the fused S2 kernel"
    }
    let fb = (gemmF.0 + gemmB.0, gemmF.1 + gemmB.1, gemmF.2 + gemmB.2)
    print("  forward (tape-free): \(formatFixed(w / ti, 1)) windows/s; sgemm \(formatFixed(100 * gemmI.0 / (ti * th), 0)) % of thread time, "
          + "\(rates(gemmI, ti)) (\(formatFixed(gemmI.1 / gemmI.0 / 1e9, 1)) per thread inside sgemm)")
    print("  forward+backward: \(formatFixed(w / (tf + tb), 1)) windows/s; sgemm \(formatFixed(100 * fb.0 / ((tf + tb) * th), 0)) % of thread time, "
          + rates(fb, tf + tb))
    print("  sgemm peak in this process (n = 1024, OpenBLAS \(x3s_blas_get_threads()) threads): \(formatFixed(peak, 1)) GFLOP/s; "
          + "peak RSS \(formatFixed(peakRSSMiB(), 0)) MiB")
}

/// The measurement of ../shared/peer/peer_eqv2.py, on libx3mat's side (benchmarks/peer.sh
/// runs both): the MEL windows in sampling order, batch q = windows qB ..< (q+1)B;
/// `warmup` batches, then the median time of `timed` batches, forward (the tape-free pass
/// prediction uses; the reference runs under no_grad) and forward + backward (the
/// training forward, which records the tape, and the output gradient of a mean loss).
/// One line: windows/s of each and the peak RSS.
func benchPeer(data: String, configName: String, batchSize: Int, warmup: Int, timed: Int) throws {
    try requireBLAS()
    let config = try benchConfig(configName)
    let model = try EquiformerModel<Float>(config: config)
    let count = (warmup + timed) * batchSize
    var windows = try realWindows("\(data)/iza/cif/MEL.cif", radius: 6, step: 2, limit: count)
    while windows.count < count { windows += windows.prefix(count - windows.count) }  // as NumPy's resize
    let threads = X3Threads.count
    var grad = [Float](repeating: 0, count: model.params.count)
    var tf: [Double] = [], tfb: [Double] = []
    for q in 0..<(warmup + timed) {
        let parts = model.batches(Array(windows[(q * batchSize)..<((q + 1) * batchSize)]), parts: threads)
        var t0 = now()
        _ = inferParts(model, parts, threads: threads)
        let f = now() - t0
        t0 = now()
        let tapes = model.forward(parts, threads: threads)
        model.backward(tapes, outputGradients: parts.map { [Float](repeating: 1 / Float(batchSize), count: $0.windows) },
                       into: &grad, threads: threads)
        let fb = now() - t0
        if q >= warmup { tf.append(f); tfb.append(fb) }
    }
    func median(_ t: [Double]) -> Double { let s = t.sorted(); return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2 }
    print("libx3mat \(configName) batch \(batchSize) threads \(threads): fwd \(formatFixed(Double(batchSize) / median(tf), 2)) win/s, "
          + "fwd+bwd \(formatFixed(Double(batchSize) / median(tfb), 2)) win/s, peak RSS \(formatFixed(peakRSSMiB(), 0)) MiB, "
          + "\(model.params.count) parameters, OpenBLAS \(String(cString: x3s_blas_corename()))")
}
