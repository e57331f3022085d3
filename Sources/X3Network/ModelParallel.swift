import CX3Support
import X3Core

extension EquiformerModel {
    /// Splits windows into `parts` graph batches of consecutive windows (sizes differ by
    /// at most one), for data-parallel passes.
    public func batches(_ windows: [GraphBatch.Window], parts: Int) -> [GraphBatch] {
        let p = max(1, min(parts, windows.count))
        return (0..<p).map { i in
            let lo = windows.count * i / p, hi = windows.count * (i + 1) / p
            return GraphBatch(Array(windows[lo..<hi]), cutoff: config.cutoff, maxNeighbours: config.maxNeighbours,
                              probe: config.probe)
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
    /// `grad`. outputGradients[i] is dL/d(outputs of batch i).
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    public func backward(_ tapes: [Tape], outputGradients: [[T]], into grad: inout [T], threads: Int = X3Threads.count) {
        precondition(tapes.count == outputGradients.count)
        let parts = TaskResults<[T]>(count: tapes.count)
        let model = self
        let n = params.count
        parallelFor(tasks: tapes.count, threads: threads) { i in
            var g = [T](repeating: 0, count: n)
            model.backward(tapes[i], outputGradient: outputGradients[i], into: &g)
            parts[i] = g
        }
        for i in 0..<tapes.count {
            let g = parts[i]!
            for k in 0..<n { grad[k] += g[k] }
        }
    }
}
