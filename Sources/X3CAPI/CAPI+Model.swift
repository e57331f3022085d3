// x3_model_*: the equivariant network through the C ABI.
import CX3Support
import X3Core
import X3Network
import X3Inference
import X3Windows

final class ModelBox {
    let model: EquiformerModel<Float>
    init(_ m: EquiformerModel<Float>) { model = m }
}

private func modelArg(_ h: OpaquePointer?) throws -> EquiformerModel<Float> {
    try handles.object(h, as: ModelBox.self, name: "model").model
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
        o.pointee = handles.register(ModelBox(try ModelFile.load(path: p)))
    }
}

@_cdecl("x3_model_find")
public func x3_model_find(_ name: UnsafePointer<CChar>?, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64,
                          _ length: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded(#function) { try copyOut(try ModelSearchPath.resolve(try string(name, "name")), buffer, capacity, length) }
}

@_cdecl("x3_model_save")
public func x3_model_save(_ m: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    guarded(#function) { try ModelFile.save(try modelArg(m), path: try string(path, "path")) }
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
        let model = try modelArg(m)
        parameters?.pointee = Int64(model.params.count)
        targets?.pointee = Int64(model.config.targets.count)
    }
}

@_cdecl("x3_model_contributions")
public func x3_model_contributions(_ m: OpaquePointer?, _ s: OpaquePointer?, _ nwindows: UnsafeMutablePointer<Int64>?,
                                   _ contributions: UnsafeMutablePointer<Double>?, _ capacity: Int64,
                                   _ property: UnsafeMutablePointer<Double>?) -> Int32 {
    guarded(#function) {
        let model = try modelArg(m)
        let st = try structure(s)
        if contributions == nil && capacity == 0 && property == nil {
            // size query: the window grid only, no evaluation
            nwindows?.pointee = Int64(try modelOrbits(model, st).grid.count)
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
        let c = InferenceEngine(model: model).contributions(GraphBatch.Window.all(w))
        for (i, v) in c.enumerated() { out[i] = v }
    }
}
