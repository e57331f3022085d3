// Version, errors, elements and runtime information.
import CX3Support
import X3Core
import X3Network
#if canImport(Glibc)
import Glibc
#endif

@_cdecl("x3_version")
public func x3_version() -> UnsafePointer<CChar> {
    UnsafeRawPointer(X3Version.string.utf8Start).assumingMemoryBound(to: CChar.self)
}

@_cdecl("x3_version_numbers")
public func x3_version_numbers(_ major: UnsafeMutablePointer<Int32>?, _ minor: UnsafeMutablePointer<Int32>?,
                               _ patch: UnsafeMutablePointer<Int32>?) {
    major?.pointee = X3Version.major
    minor?.pointee = X3Version.minor
    patch?.pointee = X3Version.patch
}

@_cdecl("x3_last_error")
public func x3_last_error() -> UnsafePointer<CChar> { x3s_last_error() }

@_cdecl("x3_clear_error")
public func x3_clear_error() { x3s_clear_last_error() }

/// C strings of the status names (X3Status.cName), allocated once for the program's lifetime.
// Immutable after their one-time initialisation, so sharing them across threads is safe.
nonisolated(unsafe) private let statusNames: [Int32: UnsafePointer<CChar>] = Dictionary(uniqueKeysWithValues:
    X3Status.allCases.map { ($0.rawValue, UnsafePointer(strdup($0.cName)!)) })
nonisolated(unsafe) private let unknownStatusName = UnsafePointer(strdup("X3_UNKNOWN_STATUS")!)

@_cdecl("x3_status_name")
public func x3_status_name(_ status: Int32) -> UnsafePointer<CChar> {
    statusNames[status] ?? unknownStatusName
}

private func element(_ z: Int32) throws -> Element {
    guard let e = Elements.element(z: Int(z)) else {
        throw X3Error(.unknownElement, "atomic number \(z) is not in the element table (1...\(Elements.maxZ))")
    }
    return e
}

@_cdecl("x3_element_symbol")
public func x3_element_symbol(_ z: Int32, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64,
                              _ length: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded(#function) { try copyOut(try element(z).symbol, buffer, capacity, length) }
}

@_cdecl("x3_element_atomic_number")
public func x3_element_atomic_number(_ symbol: UnsafePointer<CChar>?, _ z: UnsafeMutablePointer<Int32>?) -> Int32 {
    guarded(#function) {
        let s = try string(symbol, "symbol")
        let out = try output(z, "z")
        guard let n = Elements.atomicNumber(symbol: s) else {
            throw X3Error(.unknownElement, "'\(s)' is not an element symbol")
        }
        out.pointee = Int32(n)
    }
}

@_cdecl("x3_element_mass")
public func x3_element_mass(_ z: Int32, _ mass: UnsafeMutablePointer<Double>?) -> Int32 {
    guarded(#function) {
        let out = try output(mass, "mass")
        out.pointee = try element(z).mass
    }
}

@_cdecl("x3_element_covalent_radius")
public func x3_element_covalent_radius(_ z: Int32, _ radius: UnsafeMutablePointer<Double>?) -> Int32 {
    guarded(#function) {
        let out = try output(radius, "radius")
        out.pointee = try element(z).covalentRadius
    }
}

@_cdecl("x3_blas_info")
public func x3_blas_info(_ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64,
                         _ length: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded(#function) {
        guard x3s_blas_load() == 0 else {
            throw X3Error(.dependency, String(cString: x3s_blas_error()))
        }
        let source = String(cString: x3s_blas_coretype_source())
        let how: String
        switch source {
        case "libx3mat": how = "chosen by libx3mat from the CPU's features"
        case "user": how = "set by OPENBLAS_CORETYPE"
        default: how = "OpenBLAS's own detection"
        }
        let text = "OpenBLAS \(String(cString: x3s_blas_library())), core \(String(cString: x3s_blas_corename())) "
            + "(\(how)), \(x3s_blas_get_threads()) threads"
        try copyOut(text, buffer, capacity, length)
    }
}

@_cdecl("x3_release_memory")
public func x3_release_memory() -> Int32 {
    guarded(#function) {
        BufferPool.trim()
        x3s_release_heap()
    }
}

@_cdecl("x3_set_num_threads")
public func x3_set_num_threads(_ n: Int32) -> Int32 {
    guarded(#function) {
        guard n >= 0, n <= X3Threads.maxCount else {
            throw X3Error(.invalidArgument, "n = \(n); use 0 (default) or 1...\(X3Threads.maxCount) "
                + "(four threads per CPU of this machine, at least 8)")
        }
        X3Threads.set(Int(n))
    }
}

@_cdecl("x3_get_num_threads")
public func x3_get_num_threads() -> Int32 { Int32(X3Threads.count) }

@_cdecl("x3_set_limit")
public func x3_set_limit(_ name: UnsafePointer<CChar>?, _ value: Int64) -> Int32 {
    guarded(#function) {
        let n = try Limits.name(try string(name, "name"))
        guard let v = Int(exactly: value) else { throw X3Error(.invalidArgument, "value \(value) is out of range") }
        try Limits.set(n, v)
    }
}

@_cdecl("x3_get_limit")
public func x3_get_limit(_ name: UnsafePointer<CChar>?, _ value: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded(#function) {
        let n = try Limits.name(try string(name, "name"))
        try output(value, "value").pointee = Int64(Limits.value(n))
    }
}
