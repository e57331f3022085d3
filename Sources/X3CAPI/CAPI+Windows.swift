// x3_windows_*: detection windows through the C ABI.
import CX3Support
import X3Core
import X3Windows

/// The object behind an `x3_windows *`.
final class WindowsBox {
    let windows: Windows
    init(_ w: Windows) { windows = w }
}

private func windowsArg(_ h: OpaquePointer?) throws -> Windows {
    try handles.object(h, as: WindowsBox.self, name: "windows").windows
}

/// x3_windows_atoms's `window` for all windows at once (X3_ALL_WINDOWS).
let allWindows: Int64 = -1

@_cdecl("x3_windows_sample")
public func x3_windows_sample(_ s: OpaquePointer?, _ radius: Double, _ step: Double, _ maxWindows: Int64,
                              _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded(#function) {
        let st = try structure(s)
        let o = try output(out, "out")
        var limits = WindowLimits()
        if maxWindows > 0 {
            let largest = Limits.Name.windowMaxCount.range.upperBound
            guard maxWindows <= Int64(largest) else {
                throw X3Error(.invalidArgument, "max_windows = \(maxWindows); use at most \(largest)")
            }
            limits.maxWindows = Int(maxWindows)
        }
        let w = try WindowSampler.sample(st, radius: radius, step: step, limits: limits)
        o.pointee = handles.register(WindowsBox(w))
    }
}

/// The caller's window centres (ncentres × 3 doubles) and their coordinate kind, checked.
func centresArg(_ ncentres: Int64, _ centres: UnsafePointer<Double>?, _ coordinates: Int32) throws
    -> ([Vec3], CoordinateKind)
{
    guard ncentres >= 0 else { throw X3Error(.invalidArgument, "ncentres = \(ncentres) is negative") }
    let cap = Limits.value(.windowMaxCount)
    guard ncentres <= Int64(cap) else {
        throw X3Error(.outOfMemory, "ncentres = \(ncentres) exceeds the cap of \(cap) windows per call "
            + "(limit 'window_max_count'); ask for the centres in parts")
    }
    guard let kind = CoordinateKind(rawValue: coordinates) else {
        throw X3Error(.invalidArgument, "coordinates = \(coordinates); use X3_FRACTIONAL (0) or X3_CARTESIAN (1)")
    }
    let n = Int(ncentres)
    if n > 0 && centres == nil { throw nullArgument("centres") }
    return ((0..<n).map { i in Vec3(centres![3 * i], centres![3 * i + 1], centres![3 * i + 2]) }, kind)
}

@_cdecl("x3_windows_at")
public func x3_windows_at(_ s: OpaquePointer?, _ radius: Double, _ ncentres: Int64, _ centres: UnsafePointer<Double>?,
                          _ coordinates: Int32, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded(#function) {
        let st = try structure(s)
        let o = try output(out, "out")
        let (cs, kind) = try centresArg(ncentres, centres, coordinates)
        let w = try WindowSampler.sample(st, radius: radius, centres: cs, coordinates: kind)
        o.pointee = handles.register(WindowsBox(w))
    }
}

@_cdecl("x3_windows_free")
public func x3_windows_free(_ w: OpaquePointer?) {
    if w != nil && !handles.release(w) {
        x3s_set_last_error("x3_windows_free: argument 'windows' is not a live libx3mat handle (freed twice?); ignored")
    }
}

@_cdecl("x3_windows_count")
public func x3_windows_count(_ w: OpaquePointer?, _ count: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded(#function) {
        let ws = try windowsArg(w)
        try output(count, "count").pointee = Int64(ws.count)
    }
}

@_cdecl("x3_windows_radius")
public func x3_windows_radius(_ w: OpaquePointer?, _ radius: UnsafeMutablePointer<Double>?) -> Int32 {
    guarded(#function) {
        let ws = try windowsArg(w)
        try output(radius, "radius").pointee = ws.radius
    }
}

@_cdecl("x3_windows_grid")
public func x3_windows_grid(_ w: OpaquePointer?, _ shape: UnsafeMutablePointer<Int64>?,
                            _ step: UnsafeMutablePointer<Double>?) -> Int32 {
    guarded(#function) {
        let ws = try windowsArg(w)
        guard let grid = ws.grid else {
            throw X3Error(.invalidArgument, "these windows were placed at caller-given centres and have no grid")
        }
        let sh = try output(shape, "shape")
        sh[0] = Int64(grid.n1); sh[1] = Int64(grid.n2); sh[2] = Int64(grid.n3)
        step?.pointee = grid.step
    }
}

@_cdecl("x3_windows_centres")
public func x3_windows_centres(_ w: OpaquePointer?, _ coordinates: Int32, _ centres: UnsafeMutablePointer<Double>?,
                               _ capacity: Int64) -> Int32 {
    guarded(#function) {
        let ws = try windowsArg(w)
        guard let kind = CoordinateKind(rawValue: coordinates) else {
            throw X3Error(.invalidArgument, "coordinates = \(coordinates); use X3_FRACTIONAL (0) or X3_CARTESIAN (1)")
        }
        guard let out = try checkOut(centres, capacity, needed: 3 * ws.count, "centres") else { return }
        for i in 0..<ws.count {
            let c = kind == .cartesian ? ws.cartesianCentre(i) : ws.fractionalCentres[i]
            out[3 * i] = c.x; out[3 * i + 1] = c.y; out[3 * i + 2] = c.z
        }
    }
}

@_cdecl("x3_windows_total_atoms")
public func x3_windows_total_atoms(_ w: OpaquePointer?, _ total: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded(#function) {
        let ws = try windowsArg(w)
        try output(total, "total").pointee = Int64(ws.totalAtoms)
    }
}

@_cdecl("x3_windows_offsets")
public func x3_windows_offsets(_ w: OpaquePointer?, _ offsets: UnsafeMutablePointer<Int64>?, _ capacity: Int64) -> Int32 {
    guarded(#function) {
        let ws = try windowsArg(w)
        guard let out = try checkOut(offsets, capacity, needed: ws.count + 1, "offsets") else { return }
        for (i, v) in ws.offsets.enumerated() { out[i] = Int64(v) }
    }
}

@_cdecl("x3_windows_atom_count")
public func x3_windows_atom_count(_ w: OpaquePointer?, _ window: Int64, _ natoms: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded(#function) {
        let ws = try windowsArg(w)
        let range = try entries(ws, window)
        try output(natoms, "natoms").pointee = Int64(range.count)
    }
}

private func entries(_ ws: Windows, _ window: Int64) throws -> Range<Int> {
    if window == allWindows { return 0 ..< ws.totalAtoms }
    guard window >= 0, window < Int64(ws.count) else {
        throw X3Error(.indexOutOfRange, "window index \(window) is outside 0..<\(ws.count) (or X3_ALL_WINDOWS = -1)")
    }
    return ws.atomRange(Int(window))
}

@_cdecl("x3_windows_atoms")
public func x3_windows_atoms(_ w: OpaquePointer?, _ window: Int64, _ atomicNumbers: UnsafeMutablePointer<Int32>?,
                             _ positions: UnsafeMutablePointer<Double>?, _ sourceAtoms: UnsafeMutablePointer<Int32>?,
                             _ images: UnsafeMutablePointer<Int32>?, _ capacity: Int64) -> Int32 {
    guarded(#function) {
        let ws = try windowsArg(w)
        let range = try entries(ws, window)
        guard capacity >= 0 else { throw X3Error(.invalidArgument, "capacity \(capacity) is negative") }
        let wanted = [atomicNumbers != nil, positions != nil, sourceAtoms != nil, images != nil]
        if wanted.contains(true) && capacity < Int64(range.count) {
            throw X3Error(.bufferTooSmall, "window \(window) holds \(range.count) atoms; capacity is \(capacity)")
        }
        let n = range.count, lo = range.lowerBound
        if n == 0 { return }
        if let atomicNumbers {
            ws.atomicNumbers.withUnsafeBufferPointer { atomicNumbers.update(from: $0.baseAddress! + lo, count: n) }
        }
        if let sourceAtoms {
            ws.sourceAtoms.withUnsafeBufferPointer { sourceAtoms.update(from: $0.baseAddress! + lo, count: n) }
        }
        if let positions {
            ws.positions.withUnsafeBufferPointer { positions.update(from: $0.baseAddress! + 3 * lo, count: 3 * n) }
        }
        if let images {
            ws.images.withUnsafeBufferPointer { images.update(from: $0.baseAddress! + 3 * lo, count: 3 * n) }
        }
    }
}
