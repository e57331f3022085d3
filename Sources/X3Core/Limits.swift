/// Process-wide caps on the work and memory one request may take, which a caller may
/// adjust (`x3_set_limit`): past a cap a request fails with `.outOfMemory` (or
/// `.unsupported`) before the large allocation, instead of exhausting the machine.
/// Each cap has a documented default and a range; setting 0 restores the default.
public enum Limits {
    public enum Name: String, CaseIterable, Sendable {
        /// Atoms of a structure after CIF symmetry expansion.
        case cifMaxAtoms = "cif_max_atoms"
        /// Distinct symmetry operators of a CIF data block.
        case cifMaxOperations = "cif_max_operations"
        /// Windows of one request (a grid, or caller-given centres).
        case windowMaxCount = "window_max_count"
        /// Atoms gathered over the windows of one request (44 bytes each).
        case windowMaxAtoms = "window_max_atoms"

        public var defaultValue: Int {
            switch self {
            case .cifMaxAtoms: return 200_000
            case .cifMaxOperations: return 1_024
            case .windowMaxCount: return 1_000_000
            case .windowMaxAtoms: return 100_000_000
            }
        }

        /// The values a caller may set.
        public var range: ClosedRange<Int> {
            switch self {
            case .cifMaxAtoms: return 1...100_000_000
            case .cifMaxOperations: return 1...100_000
            case .windowMaxCount: return 1...100_000_000
            case .windowMaxAtoms: return 1...10_000_000_000
            }
        }
    }

    private static let overrides = ForkSafeMutex<[Name: Int]>([:])

    /// The cap in force.
    public static func value(_ name: Name) -> Int {
        overrides.withLock { $0[name] } ?? name.defaultValue
    }

    /// Sets a cap (0 restores the default); a value outside its range is an error.
    public static func set(_ name: Name, _ value: Int) throws {
        guard value == 0 || name.range.contains(value) else {
            throw X3Error(.invalidArgument, "limit '\(name.rawValue)' = \(value); use 0 (default \(name.defaultValue)) "
                + "or \(name.range.lowerBound)...\(name.range.upperBound)")
        }
        overrides.withLock { $0[name] = value == 0 ? nil : value }
    }

    /// A cap by its name; an unknown name is an error listing the names.
    public static func name(_ text: String) throws -> Name {
        guard let n = Name(rawValue: text) else {
            throw X3Error(.invalidArgument, "unknown limit '\(text)'; the limits are "
                + Name.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", "))
        }
        return n
    }
}
