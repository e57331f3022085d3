// x3_structure_*: crystal structures through the C ABI.
import CX3Support
import X3Core

/// The object behind an `x3_structure *`.
final class StructureBox {
    let structure: Structure
    init(_ s: Structure) { structure = s }
}

func structure(_ h: OpaquePointer?) throws -> Structure {
    try handles.object(h, as: StructureBox.self, name: "structure").structure
}

private func deliver(_ s: Structure, _ out: UnsafeMutablePointer<OpaquePointer?>) {
    out.pointee = handles.register(StructureBox(s))
}

@_cdecl("x3_structure_read_cif")
public func x3_structure_read_cif(_ path: UnsafePointer<CChar>?, _ block: UnsafePointer<CChar>?,
                                  _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded(#function) {
        let p = try string(path, "path")
        let o = try output(out, "out")
        let opts = CIFReadOptions(block: block.map { String(cString: $0) })
        deliver(try CIFReader.read(path: p, options: opts), o)
    }
}

@_cdecl("x3_structure_parse_cif")
public func x3_structure_parse_cif(_ text: UnsafePointer<CChar>?, _ block: UnsafePointer<CChar>?,
                                   _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded(#function) {
        let t = try string(text, "text")
        let o = try output(out, "out")
        let opts = CIFReadOptions(block: block.map { String(cString: $0) })
        deliver(try CIFReader.read(text: t, options: opts), o)
    }
}

/// Largest atom count accepted from arrays: a guard against garbage counts, far above
/// any real unit cell.
let maxArrayAtoms: Int64 = 100_000_000

@_cdecl("x3_structure_from_arrays")
public func x3_structure_from_arrays(_ cell: UnsafePointer<Double>?, _ natoms: Int64,
                                     _ positions: UnsafePointer<Double>?, _ coordinates: Int32,
                                     _ atomicNumbers: UnsafePointer<Int32>?,
                                     _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded(#function) {
        guard let cell else { throw nullArgument("cell") }
        let o = try output(out, "out")
        guard natoms >= 0 else { throw X3Error(.invalidArgument, "natoms = \(natoms) is negative") }
        guard natoms <= maxArrayAtoms else {
            throw X3Error(.invalidArgument, "natoms = \(natoms) exceeds the limit of \(maxArrayAtoms)")
        }
        guard coordinates == 0 || coordinates == 1 else {
            throw X3Error(.invalidArgument,
                "coordinates = \(coordinates); use X3_FRACTIONAL (0) or X3_CARTESIAN (1)")
        }
        let n = Int(natoms)
        if n > 0 {
            guard positions != nil else { throw nullArgument("positions") }
            guard atomicNumbers != nil else { throw nullArgument("atomic_numbers") }
        }
        let lattice = try Lattice(rowMajor: Array(UnsafeBufferPointer(start: cell, count: 9)))
        var zs = [Int](), ps = [Vec3]()
        zs.reserveCapacity(n); ps.reserveCapacity(n)
        for i in 0..<n {
            let z = Int(atomicNumbers![i])
            guard Elements.element(z: z) != nil else {
                throw X3Error(.unknownElement, "atomic_numbers[\(i)] = \(z) is not in the element table (1...\(Elements.maxZ))")
            }
            let p = Vec3(positions![3 * i], positions![3 * i + 1], positions![3 * i + 2])
            guard p.x.isFinite && p.y.isFinite && p.z.isFinite else {
                throw X3Error(.invalidArgument, "positions[\(i)] = (\(p.x), \(p.y), \(p.z)) is not finite")
            }
            zs.append(z)
            ps.append(coordinates == 1 ? lattice.fractional(p) : p)
        }
        deliver(try Structure(name: "", lattice: lattice, atomicNumbers: zs, fractionalPositions: ps), o)
    }
}

@_cdecl("x3_structure_free")
public func x3_structure_free(_ s: OpaquePointer?) {
    if s != nil && !handles.release(s) {
        x3s_set_last_error("x3_structure_free: argument 'structure' is not a live libx3mat handle (freed twice?); ignored")
    }
}

@_cdecl("x3_structure_atom_count")
public func x3_structure_atom_count(_ s: OpaquePointer?, _ natoms: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded(#function) {
        let st = try structure(s)
        try output(natoms, "natoms").pointee = Int64(st.count)
    }
}

@_cdecl("x3_structure_cell")
public func x3_structure_cell(_ s: OpaquePointer?, _ cell: UnsafeMutablePointer<Double>?) -> Int32 {
    guarded(#function) {
        let st = try structure(s)
        let out = try output(cell, "cell")
        for (i, v) in st.lattice.rowMajor.enumerated() { out[i] = v }
    }
}

@_cdecl("x3_structure_cell_parameters")
public func x3_structure_cell_parameters(_ s: OpaquePointer?, _ parameters: UnsafeMutablePointer<Double>?) -> Int32 {
    guarded(#function) {
        let st = try structure(s)
        let out = try output(parameters, "parameters")
        let p = st.lattice.parameters
        for (i, v) in [p.a, p.b, p.c, p.alpha, p.beta, p.gamma].enumerated() { out[i] = v }
    }
}

@_cdecl("x3_structure_volume")
public func x3_structure_volume(_ s: OpaquePointer?, _ volume: UnsafeMutablePointer<Double>?) -> Int32 {
    guarded(#function) {
        let st = try structure(s)
        try output(volume, "volume").pointee = st.lattice.volume
    }
}

@_cdecl("x3_structure_density")
public func x3_structure_density(_ s: OpaquePointer?, _ density: UnsafeMutablePointer<Double>?) -> Int32 {
    guarded(#function) {
        let st = try structure(s)
        try output(density, "density").pointee = st.density
    }
}

@_cdecl("x3_structure_positions")
public func x3_structure_positions(_ s: OpaquePointer?, _ coordinates: Int32, _ positions: UnsafeMutablePointer<Double>?,
                                   _ capacity: Int64) -> Int32 {
    guarded(#function) {
        let st = try structure(s)
        guard coordinates == 0 || coordinates == 1 else {
            throw X3Error(.invalidArgument, "coordinates = \(coordinates); use X3_FRACTIONAL (0) or X3_CARTESIAN (1)")
        }
        guard let out = try checkOut(positions, capacity, needed: 3 * st.count, "positions") else { return }
        let ps = coordinates == 1 ? st.cartesianPositions : st.fractionalPositions
        for (i, p) in ps.enumerated() {
            out[3 * i] = p.x; out[3 * i + 1] = p.y; out[3 * i + 2] = p.z
        }
    }
}

@_cdecl("x3_structure_atomic_numbers")
public func x3_structure_atomic_numbers(_ s: OpaquePointer?, _ z: UnsafeMutablePointer<Int32>?, _ capacity: Int64) -> Int32 {
    guarded(#function) {
        let st = try structure(s)
        guard let out = try checkOut(z, capacity, needed: st.count, "atomic_numbers") else { return }
        for (i, v) in st.atomicNumbers.enumerated() { out[i] = Int32(v) }
    }
}

@_cdecl("x3_structure_occupancies")
public func x3_structure_occupancies(_ s: OpaquePointer?, _ occ: UnsafeMutablePointer<Double>?, _ capacity: Int64) -> Int32 {
    guarded(#function) {
        let st = try structure(s)
        guard let out = try checkOut(occ, capacity, needed: st.count, "occupancies") else { return }
        for (i, v) in st.occupancies.enumerated() { out[i] = v }
    }
}

@_cdecl("x3_structure_formula")
public func x3_structure_formula(_ s: OpaquePointer?, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64,
                                 _ length: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded(#function) { try copyOut(try structure(s).formula, buffer, capacity, length) }
}

@_cdecl("x3_structure_name")
public func x3_structure_name(_ s: OpaquePointer?, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64,
                              _ length: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded(#function) { try copyOut(try structure(s).name, buffer, capacity, length) }
}

@_cdecl("x3_structure_warning_count")
public func x3_structure_warning_count(_ s: OpaquePointer?, _ count: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded(#function) {
        let st = try structure(s)
        try output(count, "count").pointee = Int64(st.warnings.count)
    }
}

@_cdecl("x3_structure_warning")
public func x3_structure_warning(_ s: OpaquePointer?, _ index: Int64, _ buffer: UnsafeMutablePointer<CChar>?,
                                 _ capacity: Int64, _ length: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded(#function) {
        let st = try structure(s)
        guard index >= 0, index < Int64(st.warnings.count) else {
            throw X3Error(.indexOutOfRange, "warning index \(index) is outside 0..<\(st.warnings.count)")
        }
        try copyOut(st.warnings[Int(index)], buffer, capacity, length)
    }
}

@_cdecl("x3_structure_write_cif")
public func x3_structure_write_cif(_ s: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    guarded(#function) {
        let st = try structure(s)
        try CIFWriter.write(st, path: try string(path, "path"))
    }
}
