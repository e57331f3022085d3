// x3_train and x3_model_predict(_many)(_std): training and prediction through the C ABI.
import CX3Support
import X3Core
import X3Inference
import X3Network
import X3Training
import X3Windows

/// The C callback: (const x3_training_progress *, void *user_data) → 0 to go on.
public typealias X3ProgressCallback = @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?) -> Int32

/// x3_training_progress as include/x3mat.h lays it out: six int32_t (phase, epoch,
/// epochs, step, steps_per_epoch, reserved), two int64_t (done, total), four doubles
/// (loss, validation_mae, elapsed, eta): 72 bytes, no padding.
let progressStructSize = 72

func storeProgress(_ p: TrainingProgress, into raw: UnsafeMutableRawPointer) {
    let phase: Int32
    switch p.phase {
    case .windows: phase = 0
    case .training: phase = 1
    case .validating: phase = 2
    case .epochEnd: phase = 3
    }
    let ints: [Int32] = [phase, Int32(p.epoch), Int32(p.epochs), Int32(p.step), Int32(p.stepsPerEpoch), 0]
    for (k, v) in ints.enumerated() { raw.storeBytes(of: v, toByteOffset: 4 * k, as: Int32.self) }
    raw.storeBytes(of: Int64(p.done), toByteOffset: 24, as: Int64.self)
    raw.storeBytes(of: Int64(p.total), toByteOffset: 32, as: Int64.self)
    let doubles = [p.loss, p.validation?.first?.mae ?? .nan, p.elapsed, p.eta ?? .nan]
    for (k, v) in doubles.enumerated() { raw.storeBytes(of: v, toByteOffset: 40 + 8 * k, as: Double.self) }
}

/// Run settings that x3_train takes in its options JSON beside the training options.
private let runKeys: Set<String> = ["labels", "id_column", "limit", "resume", "time_budget", "threads", "init"]

@_cdecl("x3_train")
public func x3_train(_ dataDir: UnsafePointer<CChar>?, _ targets: UnsafePointer<CChar>?, _ outputDir: UnsafePointer<CChar>?,
                     _ configJSON: UnsafePointer<CChar>?, _ optionsJSON: UnsafePointer<CChar>?,
                     _ callback: X3ProgressCallback?, _ user: UnsafeMutableRawPointer?,
                     _ finished: UnsafeMutablePointer<Int32>?) -> Int32 {
    guarded(#function) {
        let data = try string(dataDir, "data_dir"), output = try string(outputDir, "output_dir")
        let names = try string(targets, "targets").split(separator: ",").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw X3Error(.invalidArgument, "targets: give label columns, comma-separated") }
        func parse(_ p: UnsafePointer<CChar>?, _ what: String) throws -> JSONValue {
            let text = p.map { String(cString: $0) } ?? ""
            return try JSONValue.parse(text.isEmpty ? "{}" : text, source: "<\(what)>")
        }
        let opts = try parse(optionsJSON, "options")
        guard let items = opts.object else { throw X3Error(.parse, "<options>: must be a JSON object") }
        let run = Dictionary(items.filter { runKeys.contains($0.0) }, uniquingKeysWith: { a, _ in a })
        let training = JSONValue.object(items.filter { !runKeys.contains($0.0) })
        func runString(_ k: String) throws -> String? {
            guard let v = run[k] else { return nil }
            guard let s = v.string else { throw X3Error(.parse, "<options>: '\(k)' must be a string") }
            return s
        }
        func runNumber(_ k: String) throws -> Double? {
            guard let v = run[k] else { return nil }
            guard let d = v.number, d.isFinite else { throw X3Error(.parse, "<options>: '\(k)' must be a number") }
            return d
        }
        func runCount(_ k: String) throws -> Int? {
            guard let d = try runNumber(k) else { return nil }
            guard d == d.rounded(), d >= 1, d <= 1e9 else {
                throw X3Error(.invalidArgument, "<options>: '\(k)' must be a whole number from 1 to 10⁹")
            }
            return Int(d)
        }
        if let r = run["resume"], r.bool == nil { throw X3Error(.parse, "<options>: 'resume' must be true or false") }
        let resume = run["resume"]?.bool ?? false
        let threads = try runCount("threads")
        let limit = try runCount("limit")
        let configGiven = try parse(configJSON, "config") != .object([])
        let initial = try runString("init").map { path -> EquiformerModel<Float> in
            if resume { throw X3Error(.invalidArgument, "<options>: \"init\" starts a new run; drop it with \"resume\"") }
            if configGiven {
                throw X3Error(.invalidArgument, "config_json: the \"init\" model \(path) brings its own configuration; pass NULL or \"\"")
            }
            return try Trainer.initialModel(path: path, targets: names)  // checked before the data are read
        }
        try requireBLAS()
        let dataset = try LabelledDataset.load(directory: data, labels: try runString("labels"),
                                               idColumn: try runString("id_column"), targets: names, limit: limit)
        let trainer: Trainer
        if resume {
            if configGiven {
                throw X3Error(.invalidArgument, "config_json: with \"resume\" the saved configuration is used; pass NULL or \"\"")
            }
            if let bad = training.object?.first {
                throw X3Error(.invalidArgument, "<options>: with \"resume\" the saved options are used; drop '\(bad.0)'")
            }
            trainer = try Trainer.resume(directory: output, dataset: dataset, threads: threads)
        } else {
            if FileIO.isFile(output + "/" + Trainer.checkpointName) {
                throw X3Error(.invalidArgument, "\(output) already holds a training run (\(Trainer.checkpointName)); "
                              + "set \"resume\": true to continue it, or choose another output directory")
            }
            let options = try TrainingOptions(json: training, source: "<options>")
            if let initial {
                trainer = try Trainer(dataset: dataset, initialModel: initial, options: options, threads: threads ?? X3Threads.count)
            } else {
                let config = try ModelConfig(json: try parse(configJSON, "config"), source: "<config>")
                trainer = try Trainer(dataset: dataset, config: config, options: options, threads: threads ?? X3Threads.count)
            }
        }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: progressStructSize, alignment: 8)
        defer { buffer.deallocate() }
        let result = try trainer.run(directory: output, timeBudget: try runNumber("time_budget").flatMap { $0 > 0 ? $0 : nil }) { p in
            guard let callback else { return true }
            storeProgress(p, into: buffer)
            return callback(UnsafeRawPointer(buffer), user) == 0
        }
        finished?.pointee = result.finished ? 1 : 0
    }
}

@_cdecl("x3_model_predict")
public func x3_model_predict(_ m: OpaquePointer?, _ s: OpaquePointer?, _ property: UnsafeMutablePointer<Double>?) -> Int32 {
    guarded(#function) {
        let model = try ensembleArg(m)
        let st = try structure(s)
        let out = try output(property, "property")
        for (j, v) in try predictOne(model, st).property.enumerated() { out[j] = v }
    }
}

@_cdecl("x3_model_predict_std")
public func x3_model_predict_std(_ m: OpaquePointer?, _ s: OpaquePointer?, _ property: UnsafeMutablePointer<Double>?,
                                 _ std: UnsafeMutablePointer<Double>?) -> Int32 {
    guarded(#function) {
        let model = try ensembleArg(m)
        let st = try structure(s)
        let out = try output(property, "property"), spread = try output(std, "std")
        let p = try predictOne(model, st)
        for (j, v) in p.property.enumerated() { out[j] = v; spread[j] = p.propertyStd?[j] ?? .nan }
    }
}

@_cdecl("x3_model_predict_many")
public func x3_model_predict_many(_ m: OpaquePointer?, _ n: Int64, _ structures: UnsafePointer<OpaquePointer?>?,
                                  _ properties: UnsafeMutablePointer<Double>?, _ nevaluated: UnsafeMutablePointer<Int64>?,
                                  _ statuses: UnsafeMutablePointer<Int32>?) -> Int32 {
    predictMany(#function, m, n, structures, properties, nil, nevaluated, statuses)
}

@_cdecl("x3_model_predict_many_std")
public func x3_model_predict_many_std(_ m: OpaquePointer?, _ n: Int64, _ structures: UnsafePointer<OpaquePointer?>?,
                                      _ properties: UnsafeMutablePointer<Double>?, _ stds: UnsafeMutablePointer<Double>?,
                                      _ nevaluated: UnsafeMutablePointer<Int64>?, _ statuses: UnsafeMutablePointer<Int32>?) -> Int32 {
    predictMany(#function, m, n, structures, properties, stds, nevaluated, statuses)
}

/// x3_model_predict_many, and with `stds` non-nil (x3_model_predict_many_std) the
/// ensemble's standard deviations into the caller's pointer, which must not be NULL.
private func predictMany(_ function: StaticString, _ m: OpaquePointer?, _ n: Int64, _ structures: UnsafePointer<OpaquePointer?>?,
                         _ properties: UnsafeMutablePointer<Double>?, _ stds: UnsafeMutablePointer<Double>??,
                         _ nevaluated: UnsafeMutablePointer<Int64>?, _ statuses: UnsafeMutablePointer<Int32>?) -> Int32 {
    var firstFailure: X3Error?
    let status = guarded(function) {
        let model = try ensembleArg(m)
        guard n >= 0 else { throw X3Error(.invalidArgument, "n = \(n) is negative") }
        guard n > 0 else { return }
        guard let structures else { throw nullArgument("structures") }
        let out = try output(properties, "properties")
        let spread = try stds.map { try output($0, "stds") }
        let T = model.config.targets.count
        let engine = InferenceEngine(ensemble: model, symmetry: currentSymmetry())
        var given: [Result<Structure, X3Error>] = []
        for i in 0..<Int(n) {
            do { given.append(.success(try structure(structures[i]))) } catch let e as X3Error {
                given.append(.failure(X3Error(e.status, "structure \(i): \(e.message)")))
            }
        }
        try engine.stream(count: Int(n), load: { i in
            let s = try given[i].get()
            return (s, s.name.isEmpty ? "structure \(i)" : "structure \(i) (\(s.name))")
        }, emit: { i, result in
            switch result {
            case .success(let p):
                for t in 0..<T { out[i * T + t] = p.property[t]; spread?[i * T + t] = p.propertyStd?[t] ?? .nan }
                nevaluated?[i] = Int64(p.orbits.count)
                statuses?[i] = X3Status.ok.rawValue
            case .failure(let e):
                for t in 0..<T { out[i * T + t] = .nan; spread?[i * T + t] = .nan }
                nevaluated?[i] = 0
                statuses?[i] = e.status.rawValue
                if firstFailure == nil { firstFailure = e }
            }
        })
    }
    guard status == X3Status.ok.rawValue, let e = firstFailure else { return status }
    x3s_set_last_error("\(function): \(e.message)")
    return e.status.rawValue
}

@_cdecl("x3_model_windows")
public func x3_model_windows(_ m: OpaquePointer?, _ s: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded(#function) {
        let model = try handles.object(m, as: ModelBox.self, name: "model").model
        let st = try structure(s)
        let o = try output(out, "out")
        let ws = try WindowSampler.sample(st, radius: model.config.windowRadius, grid: try modelOrbits(model, st).grid)
        o.pointee = handles.register(WindowsBox(ws))
    }
}
