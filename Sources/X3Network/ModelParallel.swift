import CX3Support
import X3Core

extension EquiformerModel {
    /// Nodes of a part of `batches(_:parts:)`: about one window of a zeolite at R = 6 Å.
    /// A part's edge activations ([edges, coefficients, channels] per layer) then stay in
    /// the CPU's caches; measured on MEL windows, parts of one window ran 5–10 % faster
    /// per window than parts of eight (BENCHMARKS.md).
    public static var partNodes: Int { 64 }

    /// Consecutive runs of windows, each of at most `partNodes` nodes and `maxWindows`
    /// windows (at least one window): how batches are cut into parts.
    public func partRanges(_ windows: [GraphBatch.Window], maxWindows: Int = .max) -> [Range<Int>] {
        let probe = config.probe ? 1 : 0
        var ranges: [Range<Int>] = []
        var lo = 0, nodes = 0
        for (i, w) in windows.enumerated() {
            let n = w.atomicNumbers.count + probe
            if i > lo && (nodes + n > Self.partNodes || i - lo >= maxWindows) {
                ranges.append(lo..<i)
                lo = i
                nodes = 0
            }
            nodes += n
        }
        if lo < windows.count { ranges.append(lo..<windows.count) }
        return ranges
    }

    /// Splits windows into graph batches of consecutive windows for data-parallel passes:
    /// the `partRanges`; when those are fewer than `parts`, `parts` parts of sizes
    /// differing by at most one instead.
    public func batches(_ windows: [GraphBatch.Window], parts: Int) -> [GraphBatch] {
        var ranges = partRanges(windows)
        if ranges.count < parts {
            let p = max(1, min(parts, windows.count))
            ranges = (0..<p).map { i in (windows.count * i / p)..<(windows.count * (i + 1) / p) }
        }
        return ranges.map {
            GraphBatch(Array(windows[$0]), cutoff: config.cutoff, maxNeighbours: config.maxNeighbours, probe: config.probe)
        }
    }

    /// Forward passes of several batches at once, one per thread (OpenBLAS itself runs
    /// single-threaded: see blas_loader.c).
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    public func forward(_ batches: [GraphBatch], threads: Int = X3Threads.count) -> [Tape] {
        let results = TaskResults<Tape>(count: batches.count)
        let model = self
        parallelFor(tasks: batches.count, threads: threads) { i in results[i] = model.forward(batches[i]) }
        return (0..<batches.count).map { results[$0]! }
    }

    /// Backward passes of several tapes at once; the parameter gradients are summed into
    /// `grad` in batch order (`PartSum`). outputGradients[i] is dL/d(outputs of batch i).
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    public func backward(_ tapes: [Tape], outputGradients: [[T]], into grad: inout [T], threads: Int = X3Threads.count) {
        precondition(tapes.count == outputGradients.count && grad.count == params.count)
        let model = self, n = params.count
        grad.withUnsafeMutableBufferPointer { gp in
            let sum = PartSum(total: gp.baseAddress!, count: n)
            parallelFor(tasks: tapes.count, threads: threads) { i in
                let g = Buffer<T>(n)
                model.backward(tapes[i], outputGradient: outputGradients[i], into: g.p)
                sum.add(part: i, g)
            }
        }
    }
}
