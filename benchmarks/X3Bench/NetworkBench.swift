// Network throughput: forward and forward+backward windows/s on real windows, peak memory,
// the share of time in sgemm and the GFLOP/s achieved, next to the sgemm peak measured in
// the same process.
//
//   x3mat-bench network CONFIG DATASET [BATCH]
//     CONFIG: default | large;  DATASET: zeolite (IZA MEL, R 6 Å) | mof (CoRE ABAVIJ, R 6 Å)
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

func benchNetwork(data: String, configName: String, dataset: String, batchSize: Int) throws {
    try requireBLAS()
    let config = configName == "large" ? ModelConfig.large : ModelConfig()
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
    var tf = Double.infinity, tb = Double.infinity
    var grad = [Float](repeating: 0, count: model.params.count)
    var gemmF = (0.0, 0.0), gemmB = (0.0, 0.0)
    for run in 0..<3 {
        GEMMStats.enabled = run == 2
        GEMMStats.reset()
        var t0 = now()
        let tapes = model.forward(parts, threads: threads)
        tf = min(tf, now() - t0)
        if run == 2 { gemmF = (GEMMStats.totals.seconds, GEMMStats.totals.flops) }
        GEMMStats.reset()
        t0 = now()
        model.backward(tapes, outputGradients: parts.map { [Float](repeating: 1, count: $0.windows * config.targets.count) },
                       into: &grad, threads: threads)
        tb = min(tb, now() - t0)
        if run == 2 { gemmB = (GEMMStats.totals.seconds, GEMMStats.totals.flops) }
    }
    GEMMStats.enabled = false
    let w = Double(windows.count), th = Double(threads)
    print("  forward: \(formatFixed(w / tf, 1)) windows/s; sgemm \(formatFixed(100 * gemmF.0 / (tf * th), 0)) % of thread time, "
          + "\(formatFixed(gemmF.1 / tf / 1e9, 1)) GFLOP/s overall (\(formatFixed(gemmF.1 / gemmF.0 / 1e9, 1)) per thread inside sgemm)")
    print("  forward+backward: \(formatFixed(w / (tf + tb), 1)) windows/s; backward sgemm \(formatFixed(100 * gemmB.0 / (tb * th), 0)) % of thread time, "
          + "\(formatFixed((gemmF.1 + gemmB.1) / (tf + tb) / 1e9, 1)) GFLOP/s overall")
    print("  sgemm peak in this process (n = 1024, OpenBLAS \(x3s_blas_get_threads()) threads): \(formatFixed(peak, 1)) GFLOP/s; "
          + "peak RSS \(formatFixed(peakRSSMiB(), 0)) MiB")
}
