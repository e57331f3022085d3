import X3Core
import X3Network
import X3Symmetry
import X3Windows

/// The one way libx3mat evaluates a model: windows → graph batches → contributions.
///
/// Every caller — prediction and screening in the CLI, explanations and maps, the C API,
/// the trainer's validation — goes through an engine, so all of them batch the same way:
/// - each structure's windows are cut into batches of at most `batchWindows`, a
///   thread's unit of work; the batches of many structures (a slice) run together, so
///   small cells still keep every thread busy, yet a structure's numbers do not depend
///   on its neighbours in the slice or on the thread count;
/// - the network runs its tape-free forward pass (`EquiformerModel.infer`);
/// - outputs are denormalised to the targets' units with the model's mean and std;
/// - with an ensemble every member evaluates every window, and results carry the
///   members' mean and, as the uncertainty, their sample standard deviation (n − 1).
///
/// A stream (`stream`) evaluates about `sliceWindows` windows at a time and hands each
/// structure's result over in input order, so memory does not grow with the number of
/// structures.
public struct InferenceEngine: Sendable {
    /// The models evaluated: one, or an ensemble's members.
    public let ensemble: ModelEnsemble
    /// The first member: its configuration gives the targets and the windows of all.
    public var model: EquiformerModel<Float> { ensemble.members[0] }
    /// Symmetry-reduced evaluation: one window per orbit of the structure's symmetry.
    public var symmetry: SymmetryOptions
    public var threads: Int
    /// Most windows per graph batch (one thread's unit of work); batches also hold at most
    /// `EquiformerModel.partNodes` nodes.
    public var batchWindows: Int
    /// Windows a stream evaluates together, across structure boundaries.
    public var sliceWindows: Int

    public init(model: EquiformerModel<Float>, symmetry: SymmetryOptions = SymmetryOptions(),
                threads: Int = X3Threads.count, batchWindows: Int = 8, sliceWindows: Int = 1024) {
        self.init(ensemble: ModelEnsemble(model), symmetry: symmetry, threads: threads, batchWindows: batchWindows,
                  sliceWindows: sliceWindows)
    }

    public init(ensemble: ModelEnsemble, symmetry: SymmetryOptions = SymmetryOptions(),
                threads: Int = X3Threads.count, batchWindows: Int = 8, sliceWindows: Int = 1024) {
        self.ensemble = ensemble
        self.symmetry = symmetry
        self.threads = max(1, threads)
        self.batchWindows = max(1, batchWindows)
        self.sliceWindows = max(1, sliceWindows)
    }

    public var targets: [String] { model.config.targets }

    // MARK: windows

    /// Per-window contributions [windows.count × targets] of windows of a structure of
    /// this density (g/cm³), in the targets' units (an ensemble's: the members' mean).
    /// Each member's values are scaled (`ModelConfig.contributionScale`) before the mean,
    /// as in `predict`, so the same windows give the same numbers to the bit.
    public func contributions(_ windows: [GraphBatch.Window], density: Double) -> [Double] {
        Self.mean(Self.scaled(evaluate([windows])[0], by: model.config.contributionScale(density: density)))
    }

    /// Per-window contributions [picked × targets] of several structures' windows (an
    /// ensemble's: the members' mean), as `memberContributions`.
    public func contributions(_ windows: [Windows], subsets: [[Int]]? = nil,
                              progress: ((Int, Int) -> Void)? = nil) -> [[Double]] {
        memberContributions(windows, subsets: subsets, progress: progress).map(Self.mean)
    }

    /// As `contributions`, but `progress(done, total)`, called after each slice, may stop
    /// the work by returning false: then nil, and no more slices are evaluated.
    public func contributions(_ windows: [Windows], subsets: [[Int]]? = nil,
                              continuing progress: (Int, Int) -> Bool) -> [[Double]]? {
        memberContributions(windows, subsets: subsets, continuing: progress)?.map(Self.mean)
    }

    /// The members' mean of [member][value] (the values themselves for one member).
    static func mean(_ members: [[Double]]) -> [Double] {
        guard members.count > 1 else { return members[0] }
        return members[0].indices.map { i in members.reduce(0) { $0 + $1[i] } / Double(members.count) }
    }

    /// Each member's per-window contributions [member][picked × targets] of several
    /// structures' windows, evaluated in slices of about `sliceWindows` that cross
    /// structure boundaries. `subsets[i]`, if given, picks the windows of structure i to
    /// evaluate. `progress(done, total)` counts windows.
    public func memberContributions(_ windows: [Windows], subsets: [[Int]]? = nil,
                                    progress: ((Int, Int) -> Void)? = nil) -> [[[Double]]] {
        memberContributions(windows, subsets: subsets, continuing: { done, total in
            progress?(done, total)
            return true
        })!
    }

    /// As `memberContributions`, but `progress(done, total)` may stop the work between
    /// slices by returning false: then nil.
    public func memberContributions(_ windows: [Windows], subsets: [[Int]]? = nil,
                                    continuing progress: (Int, Int) -> Bool) -> [[[Double]]]? {
        let lists = subsets ?? windows.map { Array(0..<$0.count) }
        precondition(lists.count == windows.count)
        let total = lists.reduce(0) { $0 + $1.count }
        var out: [[[Double]]] = []
        out.reserveCapacity(windows.count)
        var s = 0, done = 0
        while s < windows.count {
            var slice: [[GraphBatch.Window]] = [], size = 0
            while s < windows.count && (slice.isEmpty || size + lists[s].count <= sliceWindows) {
                slice.append(lists[s].map { GraphBatch.Window(windows[s], $0) })
                size += lists[s].count
                s += 1
            }
            out += evaluate(slice)
            done += size
            if !progress(done, total) && s < windows.count { return nil }
        }
        return out
    }

    /// Each member's contributions of window lists (one per structure; [list][member]
    /// [window × targets]), all lists' batches and all members run together on the
    /// threads. Each list is cut into its own batches (`EquiformerModel.partRanges`: at
    /// most `batchWindows` windows and `partNodes` nodes each, the size whose activations
    /// stay in the CPU's caches), so a structure's numbers never depend on the structures
    /// evaluated with it or on the thread count. A member's outputs are denormalised with
    /// its own target mean and std.
    func evaluate(_ lists: [[GraphBatch.Window]]) -> [[[Double]]] {
        // loads OpenBLAS on first use; the throwing entry points have reported a failure already
        do { try requireBLAS() } catch { preconditionFailure("\(error)") }
        let ranges: [(list: Int, range: Range<Int>)] = lists.enumerated().flatMap { l, ws in
            self.model.partRanges(ws, maxWindows: batchWindows).map { (l, $0) }
        }
        let members = ensemble.members, J = members.count
        let results = TaskResults<[Float]>(count: ranges.count * J)
        parallelFor(tasks: ranges.count * J, threads: threads) { k in
            let task = ranges[k / J], m = members[k % J], c = m.config
            let batch = GraphBatch(Array(lists[task.list][task.range]), cutoff: c.cutoff,
                                   maxNeighbours: c.maxNeighbours, probe: c.probe)
            results[k] = m.infer(batch)
        }
        let T = targets.count
        var out = lists.map { ws in [[Double]](repeating: [Double](repeating: 0, count: ws.count * T), count: J) }
        for (r, task) in ranges.enumerated() {
            for j in 0..<J {
                let c = members[j].config
                for (i, v) in results[r * J + j]!.enumerated() {
                    out[task.list][j][task.range.lowerBound * T + i] = Double(v) * c.targetStd[i % T] + c.targetMean[i % T]
                }
            }
        }
        return out
    }

    // MARK: structures

    /// A structure's symmetry, window orbits and windows (the model's radius and step);
    /// errors name the structure.
    public func prepare(_ structure: Structure, id: String) throws -> PreparedStructure {
        do {
            let (sym, orbits) = try symmetry.orbits(structure, step: model.config.windowStep)
            let windows = try WindowSampler.sample(structure, radius: model.config.windowRadius, grid: orbits.grid,
                                                   threads: threads)
            return PreparedStructure(id: id, windows: windows, symmetry: sym, orbits: orbits, density: structure.density)
        } catch let e as X3Error {
            throw X3Error(e.status, "\(id): \(e.message)")
        }
    }

    /// The predictions of prepared structures, in order.
    public func predict(_ prepared: [PreparedStructure], progress: ((Int, Int) -> Void)? = nil) -> [StructurePrediction] {
        let c = memberContributions(prepared.map(\.windows), subsets: prepared.map(\.orbits.representatives),
                                    progress: progress)
        return zip(prepared, c).map { p, members in
            p.prediction(members: Self.scaled(members, by: model.config.contributionScale(density: p.density)),
                         targets: targets, spreadScale: ensemble.spreadScale)
        }
    }

    /// Each member's [window × targets] values times the target's factor (`values` itself
    /// when every factor is 1).
    static func scaled(_ values: [[Double]], by factor: [Double]) -> [[Double]] {
        guard factor.contains(where: { $0 != 1 }) else { return values }
        let T = factor.count
        return values.map { v in v.indices.map { v[$0] * factor[$0 % T] } }
    }

    /// The predictions of structures (ids name them in errors and outputs); the first
    /// structure that cannot be prepared throws.
    public func predict(_ structures: [Structure], ids: [String], progress: ((Int, Int) -> Void)? = nil) throws
        -> [StructurePrediction] {
        precondition(structures.count == ids.count)
        try requireBLAS()
        return predict(try zip(structures, ids).map { try prepare($0, id: $1) }, progress: progress)
    }

    /// The prediction of one structure.
    public func predict(_ structure: Structure, id: String) throws -> StructurePrediction {
        try predict([structure], ids: [id])[0]
    }

    /// Predictions of inputs 0 ..< `count`, streamed: `load(i)` reads input i and names
    /// it; `emit(i, result)` is called once per input, in input order, with the
    /// prediction or the reason it failed (a failure affects that input only).
    /// Structures are read, prepared and held until about `sliceWindows` windows are
    /// waiting, then evaluated together and emitted, so at most one slice of structures
    /// is in memory. `shouldStop()` is asked before each input is read; once it says yes,
    /// the structures already read are evaluated and emitted and the stream ends.
    /// Returns the number of inputs emitted.
    @discardableResult
    public func stream(count: Int, load: (Int) throws -> (Structure, String),
                       emit: (Int, Result<StructurePrediction, X3Error>) throws -> Void,
                       shouldStop: () -> Bool = { false }) throws -> Int {
        try requireBLAS()
        var pending: [(Int, Result<PreparedStructure, X3Error>)] = [], waiting = 0, emitted = 0
        func flush() throws {
            let ready = pending.compactMap { try? $0.1.get() }
            var results = predict(ready).makeIterator()
            for (i, r) in pending {
                switch r {
                case .success: try emit(i, .success(results.next()!))
                case .failure(let e): try emit(i, .failure(e))
                }
                emitted += 1
            }
            pending = []
            waiting = 0
        }
        for i in 0..<count {
            if shouldStop() { break }
            do {
                let (s, id) = try load(i)
                let p = try prepare(s, id: id)
                pending.append((i, .success(p)))
                waiting += p.orbits.count
            } catch let e as X3Error {
                pending.append((i, .failure(e)))
            } catch {
                pending.append((i, .failure(X3Error(.internal, "input \(i): \(error)"))))
            }
            if waiting >= sliceWindows { try flush() }
        }
        try flush()
        return emitted
    }
}
