import X3Core
import X3Interpret
import X3Network
import X3Inference
import X3Windows

@_cdecl("x3_model_explain")
public func x3_model_explain(_ m: OpaquePointer?, _ s: OpaquePointer?, _ directory: UnsafePointer<CChar>?,
                             _ optionsJSON: UnsafePointer<CChar>?) -> Int32 {
    guarded(#function) {
        let model = try ensembleArg(m)
        let st = try structure(s)
        let dir = try string(directory, "directory")
        let text = optionsJSON.map { String(cString: $0) } ?? ""
        let json = try JSONValue.parse(text.isEmpty ? "{}" : text, source: "<options>")
        var o = try ExplainOptions(json: json, targets: model.config.targets, source: "<options>")
        if json["strong"] == nil { o.strongEnd = try StrongEnd(card: model.card, targets: Array(model.config.targets.indices)) }
        try requireBLAS()
        let id = st.name.isEmpty ? "structure" : st.name
        o.symmetry = currentSymmetry()
        let e = try Explanation.make(model, structure: st, id: id, options: o)
        try e.write(directory: dir)
    }
}

@_cdecl("x3_model_map")
public func x3_model_map(_ m: OpaquePointer?, _ s: OpaquePointer?, _ target: Int32, _ refine: UnsafePointer<Int32>?,
                         _ shape: UnsafeMutablePointer<Int64>?, _ values: UnsafeMutablePointer<Double>?,
                         _ capacity: Int64) -> Int32 {
    guarded(#function) {
        let f = refine.map { (Int($0[0]), Int($0[1]), Int($0[2])) } ?? (1, 1, 1)
        try ContributionMap.validateRefinement(f)  // before the shape query, which evaluates nothing
        try writeMap(m, s, target, refinement: f, shape, values, capacity) { p, t in
            let map = try ContributionMap(p, target: t)
            return f == (1, 1, 1) ? map : try map.refined(by: f)
        }
    }
}

@_cdecl("x3_model_map_std")
public func x3_model_map_std(_ m: OpaquePointer?, _ s: OpaquePointer?, _ target: Int32,
                             _ shape: UnsafeMutablePointer<Int64>?, _ values: UnsafeMutablePointer<Double>?,
                             _ capacity: Int64) -> Int32 {
    guarded(#function) {
        try writeMap(m, s, target, refinement: (1, 1, 1), shape, values, capacity) { p, t in
            try ContributionMap(spreadOf: p, target: t)
        }
    }
}

/// The shared body of x3_model_map and x3_model_map_std: validates the arguments, writes
/// the shape (the window grid times `refinement`) and, unless this is a shape query
/// (values NULL, capacity 0), predicts the structure and copies `make`'s map into values;
/// a nil map (the spread of a single model) is written as NaN.
private func writeMap(_ m: OpaquePointer?, _ s: OpaquePointer?, _ target: Int32, refinement f: (Int, Int, Int),
                      _ shape: UnsafeMutablePointer<Int64>?, _ values: UnsafeMutablePointer<Double>?, _ capacity: Int64,
                      _ make: (StructurePrediction, Int) throws -> ContributionMap?) throws {
    let ensemble = try ensembleArg(m)
    let st = try structure(s)
    let shapeOut = try output(shape, "shape")
    let t = Int(target)
    guard (0..<ensemble.config.targets.count).contains(t) else {
        throw X3Error(.indexOutOfRange, "target \(target) is outside 0..<\(ensemble.config.targets.count)")
    }
    let g = try modelOrbits(ensemble.members[0], st).grid
    let dims = [g.n1 * f.0, g.n2 * f.1, g.n3 * f.2]
    for i in 0..<3 { shapeOut[i] = Int64(dims[i]) }
    guard let values else {
        guard capacity == 0 else { throw X3Error(.nullArgument, "values is NULL with capacity \(capacity)") }
        return
    }
    let n = dims[0] * dims[1] * dims[2]
    guard capacity >= Int64(n) else {
        throw X3Error(.bufferTooSmall, "values: capacity \(capacity) < \(n) grid points")
    }
    let map = try make(try predictOne(ensemble, st), t)
    for i in 0..<n { values[i] = map?.values[i] ?? .nan }
}
