// Network throughput: forward and forward+backward windows/s on real windows.
import X3Core
import X3Network
import X3Windows

func realWindows(_ path: String, radius: Double, step: Double, limit: Int) throws -> [GraphBatch.Window] {
    let s = try CIFReader.read(path: path)
    let ws = try WindowSampler.sample(s, radius: radius, step: step)
    return (0..<min(limit, ws.count)).map { w in
        let r = ws.atomRange(w)
        return GraphBatch.Window(atomicNumbers: Array(ws.atomicNumbers[r]), positions: r.map { ws.position($0) })
    }
}

func benchNetwork(data: String, batchSize: Int) throws {
    try requireBLAS()
    let config = ModelConfig()
    let model = try EquiformerModel<Float>(config: config)
    let windows = try realWindows("\(data)/iza/cif/MEL.cif", radius: 6, step: 2, limit: batchSize)
    let batch = GraphBatch(windows, cutoff: config.cutoff, maxNeighbours: config.maxNeighbours, probe: config.probe)
    print("network: default config (lmax \(config.lmax), mmax \(config.mmax), \(config.channels) channels, \(config.blocks) blocks, "
          + "\(model.params.count) parameters); batch of \(batch.windows) MEL windows, \(batch.nodeCount) nodes, \(batch.edgeCount) edges")
    // best of 3 passes (the first also warms the buffer pool and OpenBLAS)
    var tf = Double.infinity, tb = Double.infinity
    var grad = [Float](repeating: 0, count: model.params.count)
    for _ in 0..<3 {
        var t0 = now()
        let tape = model.forward(batch)
        tf = min(tf, now() - t0)
        t0 = now()
        model.backward(tape, outputGradient: [Float](repeating: 1, count: batch.windows * config.targets.count), into: &grad)
        tb = min(tb, now() - t0)
    }
    print("  peak RSS \(formatFixed(peakRSSMiB(), 0)) MiB; forward \(formatFixed(tf, 3)) s (\(formatFixed(Double(batch.windows) / tf, 1)) windows/s), "
          + "backward \(formatFixed(tb, 3)) s, forward+backward \(formatFixed(Double(batch.windows) / (tf + tb), 1)) windows/s")
}

func benchNetworkParallel(data: String, batchSize: Int) throws {
    try requireBLAS()
    let config = ModelConfig()
    let model = try EquiformerModel<Float>(config: config)
    let windows = try realWindows("\(data)/iza/cif/MEL.cif", radius: 6, step: 2, limit: batchSize)
    let threads = X3Threads.count
    let parts = model.batches(windows, parts: threads)
    var tf = Double.infinity, tb = Double.infinity
    var grad = [Float](repeating: 0, count: model.params.count)
    for _ in 0..<3 {
        var t0 = now()
        let tapes = model.forward(parts, threads: threads)
        tf = min(tf, now() - t0)
        t0 = now()
        model.backward(tapes, outputGradients: parts.map { [Float](repeating: 1, count: $0.windows * config.targets.count) },
                       into: &grad, threads: threads)
        tb = min(tb, now() - t0)
    }
    print("  data-parallel, \(threads) threads × 1 OpenBLAS thread: peak RSS \(formatFixed(peakRSSMiB(), 0)) MiB; "
          + "forward \(formatFixed(tf, 3)) s (\(formatFixed(Double(windows.count) / tf, 1)) windows/s), backward \(formatFixed(tb, 3)) s, "
          + "forward+backward \(formatFixed(Double(windows.count) / (tf + tb), 1)) windows/s")
}
