/// Status codes of the C API. The numbers are part of the stable ABI (`x3_status` in
/// include/x3mat.h): never renumber, only append.
public enum X3Status: Int32, Sendable, CaseIterable {
    case ok = 0
    /// A required pointer argument was NULL.
    case nullArgument = 1
    /// An argument is out of its documented domain (negative count, NaN, bad flag).
    case invalidArgument = 2
    /// A file could not be opened, read or written.
    case io = 3
    /// Input text (CIF, CSV, model file) is malformed.
    case parse = 4
    /// An element symbol or atomic number is not in the element table.
    case unknownElement = 5
    /// The cell is degenerate (zero or negative volume, impossible angles).
    case invalidCell = 6
    /// An allocation failed or a request would exceed a configured cap.
    case outOfMemory = 7
    /// A caller-supplied buffer is smaller than the data to be written.
    case bufferTooSmall = 8
    /// An index is outside its valid range.
    case indexOutOfRange = 9
    /// The input is valid but uses a feature libx3mat does not implement.
    case unsupported = 10
    /// A runtime dependency (OpenBLAS) could not be loaded.
    case dependency = 11
    /// A bug in libx3mat; please report it with the message.
    case `internal` = 99

    /// The enumerator's name in include/x3mat.h.
    public var cName: String {
        switch self {
        case .ok: return "X3_OK"
        case .nullArgument: return "X3_ERR_NULL_ARGUMENT"
        case .invalidArgument: return "X3_ERR_INVALID_ARGUMENT"
        case .io: return "X3_ERR_IO"
        case .parse: return "X3_ERR_PARSE"
        case .unknownElement: return "X3_ERR_UNKNOWN_ELEMENT"
        case .invalidCell: return "X3_ERR_INVALID_CELL"
        case .outOfMemory: return "X3_ERR_OUT_OF_MEMORY"
        case .bufferTooSmall: return "X3_ERR_BUFFER_TOO_SMALL"
        case .indexOutOfRange: return "X3_ERR_INDEX_OUT_OF_RANGE"
        case .unsupported: return "X3_ERR_UNSUPPORTED"
        case .dependency: return "X3_ERR_DEPENDENCY"
        case .internal: return "X3_ERR_INTERNAL"
        }
    }
}

/// The one error type of libx3mat: a status for programs and a message for people.
///
/// Messages about input files follow the compiler convention
/// `path:line: field '_tag': what is wrong`, so editors can jump to the place.
public struct X3Error: Error, CustomStringConvertible, Sendable, Equatable {
    public var status: X3Status
    public var message: String

    public init(_ status: X3Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { message }

    /// Where an input problem is: a source name (file path or "<string>"), a line
    /// (1-based; 0 when unknown) and a field (CIF tag, column name; may be empty).
    public static func input(_ status: X3Status, source: String, line: Int, field: String = "",
                             _ what: String) -> X3Error {
        var text = source
        if line > 0 { text += ":\(line)" }
        text += ": "
        if !field.isEmpty { text += "field '\(field)': " }
        return X3Error(status, text + what)
    }
}

/// The library's version; include/x3mat.h's X3_VERSION_* macros, CMakeLists.txt and the
/// Python package must agree (Tests/c/test_structure.c and the Python tests check).
public enum X3Version {
    public static let major: Int32 = 0, minor: Int32 = 1, patch: Int32 = 0
    public static let string: StaticString = "0.1.0"
}
