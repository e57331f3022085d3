// x3_*symmetry*: a structure's space group and the process-wide choice of symmetry-
// reduced window evaluation used by every x3_model_* function.
import X3Core
import X3Network
import X3Symmetry
import X3Inference
import X3Windows

/// The symmetry setting of x3_model_* calls (x3_set_symmetry).
let symmetrySetting = ForkSafeMutex(SymmetryOptions())

func currentSymmetry() -> SymmetryOptions { symmetrySetting.withLock { $0 } }

/// The prediction of one structure with the current symmetry setting.
func predictOne(_ ensemble: ModelEnsemble, _ st: Structure) throws -> StructurePrediction {
    try InferenceEngine(ensemble: ensemble, symmetry: currentSymmetry()).predict(st, id: st.name.isEmpty ? "structure" : st.name)
}

/// The window grid a model uses for a structure with the current symmetry setting.
func modelOrbits(_ model: EquiformerModel<Float>, _ st: Structure) throws -> WindowOrbits {
    try currentSymmetry().orbits(st, step: model.config.windowStep).orbits
}

@_cdecl("x3_set_symmetry")
public func x3_set_symmetry(_ enabled: Int32, _ tolerance: Double) -> Int32 {
    guarded(#function) {
        guard (0...2).contains(enabled) else { throw X3Error(.invalidArgument, "enabled = \(enabled); use 0, 1 or 2") }
        try CrystalSymmetry.validate(tolerance: tolerance)
        symmetrySetting.withLock { $0 = SymmetryOptions(enabled: enabled != 0, tolerance: tolerance, reduce: enabled == 1) }
    }
}

@_cdecl("x3_get_symmetry")
public func x3_get_symmetry(_ enabled: UnsafeMutablePointer<Int32>?, _ tolerance: UnsafeMutablePointer<Double>?) -> Int32 {
    guarded(#function) {
        let s = currentSymmetry()
        enabled?.pointee = !s.enabled ? 0 : s.reduce ? 1 : 2
        tolerance?.pointee = s.tolerance
    }
}

@_cdecl("x3_structure_space_group")
public func x3_structure_space_group(_ s: OpaquePointer?, _ tolerance: Double, _ number: UnsafeMutablePointer<Int32>?,
                                     _ symbol: UnsafeMutablePointer<CChar>?, _ capacity: Int64,
                                     _ length: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded(#function) {
        let st = try structure(s)
        try CrystalSymmetry.validate(tolerance: tolerance)
        let d = try SpglibDataset(st, tolerance: tolerance)
        number?.pointee = Int32(d.number)
        if symbol != nil || capacity != 0 || length != nil {
            try copyOut(d.symbol, symbol, capacity, length)
        }
    }
}

@_cdecl("x3_model_orbits")
public func x3_model_orbits(_ m: OpaquePointer?, _ s: OpaquePointer?, _ nwindows: UnsafeMutablePointer<Int64>?,
                            _ norbits: UnsafeMutablePointer<Int64>?, _ noperations: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded(#function) {
        let model = try handles.object(m, as: ModelBox.self, name: "model").model
        let o = try modelOrbits(model, try structure(s))
        nwindows?.pointee = Int64(o.grid.count)
        norbits?.pointee = Int64(o.count)
        noperations?.pointee = Int64(o.operations.count)
    }
}
