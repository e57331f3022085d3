// x3_model_*: the equivariant network through the C ABI.
import CX3Support
import X3Core
import X3Network
import X3Inference
import X3Windows

/// A model handle: one model or an ensemble (`ModelEnsemble`).
final class ModelBox {
    let ensemble: ModelEnsemble
    init(_ m: EquiformerModel<Float>) { ensemble = ModelEnsemble(m) }
    init(_ e: ModelEnsemble) { ensemble = e }
    /// The first member: its configuration (targets, windows) and card hold for all.
    var model: EquiformerModel<Float> { ensemble.members[0] }
}

private func modelArg(_ h: OpaquePointer?) throws -> EquiformerModel<Float> {
    try handles.object(h, as: ModelBox.self, name: "model").model
}

func ensembleArg(_ h: OpaquePointer?) throws -> ModelEnsemble {
    try handles.object(h, as: ModelBox.self, name: "model").ensemble
}

/// The configuration of x3_model_create's text (NULL or "" for all defaults), validated.
private func modelConfig(_ configJSON: UnsafePointer<CChar>?) throws -> ModelConfig {
    let text = configJSON.map { String(cString: $0) } ?? "{}"
    return try ModelConfig(json: try JSONValue.parse(text.isEmpty ? "{}" : text, source: "<config>"), source: "<config>")
}

@_cdecl("x3_model_create")
public func x3_model_create(_ configJSON: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded(#function) {
        let o = try output(out, "out")
        let config = try modelConfig(configJSON)
        try requireBLAS()
        o.pointee = handles.register(ModelBox(try EquiformerModel<Float>(config: config)))
    }
}

@_cdecl("x3_model_parameter_count")
public func x3_model_parameter_count(_ configJSON: UnsafePointer<CChar>?, _ parameters: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded(#function) {
        let o = try output(parameters, "parameters")
        o.pointee = Int64(try EquiformerModel<Float>.parameterCount(try modelConfig(configJSON)))
    }
}

@_cdecl("x3_model_load")
public func x3_model_load(_ path: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded(#function) {
        let p = try ModelSearchPath.resolve(try string(path, "path"))
        let o = try output(out, "out")
        try requireBLAS()
        o.pointee = handles.register(ModelBox(try ModelFile.loadEnsemble(path: p)))
    }
}

@_cdecl("x3_model_find")
public func x3_model_find(_ name: UnsafePointer<CChar>?, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64,
                          _ length: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded(#function) { try copyOut(try ModelSearchPath.resolve(try string(name, "name")), buffer, capacity, length) }
}

@_cdecl("x3_model_save")
public func x3_model_save(_ m: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    guarded(#function) { try ModelFile.save(try ensembleArg(m), path: try string(path, "path")) }
}

@_cdecl("x3_model_free")
public func x3_model_free(_ m: OpaquePointer?) {
    if m != nil && !handles.release(m) {
        x3s_set_last_error("x3_model_free: argument 'model' is not a live libx3mat handle (freed twice?); ignored")
    }
}

@_cdecl("x3_model_config")
public func x3_model_config(_ m: OpaquePointer?, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64,
                            _ length: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded(#function) { try copyOut(try modelArg(m).config.json.text, buffer, capacity, length) }
}

@_cdecl("x3_model_card")
public func x3_model_card(_ m: OpaquePointer?, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64,
                          _ length: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded(#function) { try copyOut(try modelArg(m).card?.json.text ?? "", buffer, capacity, length) }
}

@_cdecl("x3_model_sizes")
public func x3_model_sizes(_ m: OpaquePointer?, _ parameters: UnsafeMutablePointer<Int64>?,
                           _ targets: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded(#function) {
        let e = try ensembleArg(m)
        parameters?.pointee = Int64(e.members.reduce(0) { $0 + $1.params.count })
        targets?.pointee = Int64(e.config.targets.count)
    }
}

@_cdecl("x3_model_ensemble")
public func x3_model_ensemble(_ models: UnsafePointer<OpaquePointer?>?, _ n: Int64,
                              _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded(#function) {
        let o = try output(out, "out")
        guard n >= 1 else { throw X3Error(.invalidArgument, "n = \(n): give at least one model") }
        guard let models else { throw nullArgument("models") }
        var members: [EquiformerModel<Float>] = []
        for i in 0..<Int(n) { members += try ensembleArg(models[i]).members }
        o.pointee = handles.register(ModelBox(try ModelEnsemble(members: members)))
    }
}

@_cdecl("x3_model_spread_scale")
public func x3_model_spread_scale(_ m: OpaquePointer?, _ scale: UnsafeMutablePointer<Double>?) -> Int32 {
    guarded(#function) {
        let e = try ensembleArg(m)
        let out = try output(scale, "scale")
        for (t, f) in e.spreadScale.enumerated() { out[t] = f }
    }
}

@_cdecl("x3_model_spread_calibration")
public func x3_model_spread_calibration(_ m: OpaquePointer?, _ rule: UnsafeMutablePointer<Int32>?) -> Int32 {
    guarded(#function) {
        let e = try ensembleArg(m)
        let out = try output(rule, "rule")
        if let rule = e.spreadCalibration {
            out.pointee = spreadCalibrations.first { $0.rule == rule }!.code
        } else {
            out.pointee = e.spreadScale.contains { $0 != 1 } ? 3 : 0
        }
    }
}

@_cdecl("x3_model_with_spread_scale")
public func x3_model_with_spread_scale(_ m: OpaquePointer?, _ scale: UnsafePointer<Double>?,
                                       _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded(#function) { try scaling(m, scale, nil, out) }
}

@_cdecl("x3_model_with_spread_calibration")
public func x3_model_with_spread_calibration(_ m: OpaquePointer?, _ scale: UnsafePointer<Double>?, _ rule: Int32,
                                             _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded(#function) {
        guard let calibration = spreadCalibrations.first(where: { $0.code == rule })?.rule else {
            throw X3Error(.invalidArgument, "rule = \(rule): give X3_SPREAD_LIKELIHOOD (1) or X3_SPREAD_COVERAGE (2)")
        }
        try scaling(m, scale, calibration, out)
    }
}

/// The C codes of `SpreadCalibration` (x3_spread_calibration); 0 is "not calibrated" and
/// 3 "not recorded".
private let spreadCalibrations: [(code: Int32, rule: SpreadCalibration)] = [(1, .likelihood), (2, .coverage)]

/// A new handle for `m` with spread scale `scale` fitted by `rule`, into `out`.
private func scaling(_ m: OpaquePointer?, _ scale: UnsafePointer<Double>?, _ rule: SpreadCalibration?,
                     _ out: UnsafeMutablePointer<OpaquePointer?>?) throws {
    let e = try ensembleArg(m)
    guard let scale else { throw nullArgument("scale") }
    let o = try output(out, "out")
    let scaled = try e.scalingSpread(to: (0..<e.config.targets.count).map { scale[$0] }, calibration: rule)
    o.pointee = handles.register(ModelBox(scaled))
}

@_cdecl("x3_model_members")
public func x3_model_members(_ m: OpaquePointer?, _ members: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded(#function) { try output(members, "members").pointee = Int64(try ensembleArg(m).count) }
}

@_cdecl("x3_model_contributions")
public func x3_model_contributions(_ m: OpaquePointer?, _ s: OpaquePointer?, _ nwindows: UnsafeMutablePointer<Int64>?,
                                   _ contributions: UnsafeMutablePointer<Double>?, _ capacity: Int64,
                                   _ property: UnsafeMutablePointer<Double>?) -> Int32 {
    guarded(#function) {
        let model = try ensembleArg(m)
        let st = try structure(s)
        if contributions == nil && capacity == 0 && property == nil {
            // size query: the window grid only, no evaluation
            nwindows?.pointee = Int64(try modelOrbits(model.members[0], st).grid.count)
            return
        }
        let p = try predictOne(model, st)
        let (ws, c) = (p.windows, p.contributions)
        nwindows?.pointee = Int64(ws.count)
        if contributions != nil || capacity != 0 {
            if let out = try checkOut(contributions, capacity, needed: c.count, "contributions") {
                for (i, v) in c.enumerated() { out[i] = v }
            }
        }
        if let property { for (j, v) in p.property.enumerated() { property[j] = v } }
    }
}

@_cdecl("x3_model_contributions_at")
public func x3_model_contributions_at(_ m: OpaquePointer?, _ s: OpaquePointer?, _ coordinates: Int32, _ ncentres: Int64,
                                      _ centres: UnsafePointer<Double>?, _ contributions: UnsafeMutablePointer<Double>?,
                                      _ capacity: Int64) -> Int32 {
    guarded(#function) {
        let model = try modelArg(m)
        let st = try structure(s)
        let (cs, kind) = try centresArg(ncentres, centres, coordinates)
        let T = model.config.targets.count
        let out = try checkOut(contributions, capacity, needed: cs.count * T, "contributions")
        guard let out else { return }
        try requireBLAS()
        let w = try WindowSampler.sample(st, radius: model.config.windowRadius, centres: cs, coordinates: kind)
        let c = InferenceEngine(ensemble: try ensembleArg(m)).contributions(GraphBatch.Window.all(w), density: st.density)
        out.update(from: c, count: c.count)
    }
}
