// Version, errors, elements and runtime information.
import CX3Support
import X3Core

/// Library version; keep in step with include/x3mat.h (a test compares them).
enum LibraryVersion {
    static let major: Int32 = 0, minor: Int32 = 1, patch: Int32 = 0
    static let string: StaticString = "0.1.0"
}

@_cdecl("x3_version")
public func x3_version() -> UnsafePointer<CChar> {
    UnsafeRawPointer(LibraryVersion.string.utf8Start).assumingMemoryBound(to: CChar.self)
}

@_cdecl("x3_version_numbers")
public func x3_version_numbers(_ major: UnsafeMutablePointer<Int32>?, _ minor: UnsafeMutablePointer<Int32>?,
                               _ patch: UnsafeMutablePointer<Int32>?) {
    major?.pointee = LibraryVersion.major
    minor?.pointee = LibraryVersion.minor
    patch?.pointee = LibraryVersion.patch
}

@_cdecl("x3_last_error")
public func x3_last_error() -> UnsafePointer<CChar> { x3s_last_error() }

@_cdecl("x3_clear_error")
public func x3_clear_error() { x3s_clear_last_error() }

/// Names live for the program's lifetime: static strings, one per status.
private let statusNames: [Int32: StaticString] = [
    0: "X3_OK", 1: "X3_ERR_NULL_ARGUMENT", 2: "X3_ERR_INVALID_ARGUMENT", 3: "X3_ERR_IO",
    4: "X3_ERR_PARSE", 5: "X3_ERR_UNKNOWN_ELEMENT", 6: "X3_ERR_INVALID_CELL",
    7: "X3_ERR_OUT_OF_MEMORY", 8: "X3_ERR_BUFFER_TOO_SMALL", 9: "X3_ERR_INDEX_OUT_OF_RANGE",
    10: "X3_ERR_UNSUPPORTED", 11: "X3_ERR_DEPENDENCY", 99: "X3_ERR_INTERNAL",
]

@_cdecl("x3_status_name")
public func x3_status_name(_ status: Int32) -> UnsafePointer<CChar> {
    let s: StaticString = statusNames[status] ?? "X3_UNKNOWN_STATUS"
    return UnsafeRawPointer(s.utf8Start).assumingMemoryBound(to: CChar.self)
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
