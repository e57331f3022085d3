/// A crystallographic symmetry operation in fractional coordinates: f' = R f + t.
///
/// Parsed from the Jones-faithful notation CIFs use (`-x+1/2, y, z+0.25`, `1/2+X,-Y,Z`,
/// `x-y,x,z+2/3`): each component is a sum of signed terms, a term being a variable
/// (`x`, `y`, `z`, optionally with a coefficient `2x`, `2*x`) or a number (`0.5`, `1/2`).
public struct SymmetryOperation: Sendable, Equatable {
    /// Rows of R: component i of the image is dot(rotation[i], f) + translation[i].
    public var rotation: (Vec3, Vec3, Vec3)
    public var translation: Vec3

    public static func == (l: SymmetryOperation, r: SymmetryOperation) -> Bool {
        l.rotation.0 == r.rotation.0 && l.rotation.1 == r.rotation.1 && l.rotation.2 == r.rotation.2
            && l.translation == r.translation
    }

    public static let identity = SymmetryOperation(
        rotation: (Vec3(1, 0, 0), Vec3(0, 1, 0), Vec3(0, 0, 1)), translation: .zero)

    public init(rotation: (Vec3, Vec3, Vec3), translation: Vec3) {
        self.rotation = rotation
        self.translation = translation
    }

    /// Parses `x,y,z`-style text; throws a message without location (callers add it).
    public init(parsing text: String) throws {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw X3Error(.parse, "symmetry operation '\(text)' does not have three comma-separated components")
        }
        var rows = [Vec3](repeating: .zero, count: 3)
        var t = Vec3.zero
        for (k, part) in parts.enumerated() {
            let (row, shift) = try SymmetryOperation.parseComponent(part, whole: text)
            rows[k] = row
            t[k] = shift
        }
        // In a lattice basis a crystallographic rotation is an integer matrix of
        // determinant ±1 (its entries are -2...2 in every standard setting).
        for r in rows {
            for k in 0..<3 where !(abs(r[k]) <= 2 && r[k] == r[k].rounded()) {
                throw X3Error(.parse, "symmetry operation '\(text)' has the coefficient \(r[k]); "
                    + "the coefficients of x, y and z must be whole numbers between -2 and 2")
            }
        }
        let det = dot(rows[0], cross(rows[1], rows[2]))
        guard abs(det) == 1 else {
            throw X3Error(.parse, "symmetry operation '\(text)' is not an isometry (determinant \(det))")
        }
        for k in 0..<3 where !(t[k].isFinite && abs(t[k]) <= 1e3) {
            throw X3Error(.parse, "symmetry operation '\(text)' has the translation \(t[k]); it must be a finite "
                + "fraction of the cell (|t| ≤ 1000)")
        }
        rotation = (rows[0], rows[1], rows[2])
        translation = t
    }

    @inlinable public func apply(_ f: Vec3) -> Vec3 {
        rotate(f) + translation
    }

    /// R f, the rotation alone.
    @inlinable public func rotate(_ f: Vec3) -> Vec3 {
        Vec3(dot(rotation.0, f), dot(rotation.1, f), dot(rotation.2, f))
    }

    /// The operation that applies `other` first, then this one: f ↦ R(R' f + t') + t.
    public func after(_ other: SymmetryOperation) -> SymmetryOperation {
        // Columns of R' are the images of the unit vectors.
        let c0 = rotate(Vec3(other.rotation.0.x, other.rotation.1.x, other.rotation.2.x))
        let c1 = rotate(Vec3(other.rotation.0.y, other.rotation.1.y, other.rotation.2.y))
        let c2 = rotate(Vec3(other.rotation.0.z, other.rotation.1.z, other.rotation.2.z))
        return SymmetryOperation(rotation: (Vec3(c0.x, c1.x, c2.x), Vec3(c0.y, c1.y, c2.y), Vec3(c0.z, c1.z, c2.z)),
                                 translation: apply(other.translation))
    }

    /// True when both have the same rotation and translations that differ by whole cells
    /// (within `tolerance`, fractional).
    public func equalsModuloLattice(_ o: SymmetryOperation, tolerance: Double = 1e-6) -> Bool {
        guard rotation == o.rotation else { return false }
        let d = translation - o.translation
        let e = d - d.rounded(.toNearestOrAwayFromZero)
        return max(abs(e.x), abs(e.y), abs(e.z)) <= tolerance
    }

    /// True for the identity and the pure lattice translations.
    public var isIdentityModuloLattice: Bool { equalsModuloLattice(.identity) }

    private static func parseComponent(_ s: Substring, whole: String) throws -> (Vec3, Double) {
        var row = Vec3.zero
        var shift = 0.0
        let chars = Array(s.filter { !$0.isWhitespace })
        guard !chars.isEmpty else {
            throw X3Error(.parse, "symmetry operation '\(whole)' has an empty component")
        }
        var i = 0
        func bad() -> X3Error { X3Error(.parse, "cannot read symmetry operation '\(whole)'") }
        while i < chars.count {
            var sign = 1.0
            if chars[i] == "+" { i += 1 } else if chars[i] == "-" { sign = -1; i += 1 }
            guard i < chars.count else { throw bad() }
            // optional number (with an optional /denominator)
            var number: Double? = nil
            let start = i
            while i < chars.count, chars[i].isNumber || chars[i] == "." { i += 1 }
            if i > start {
                guard var v = Double(String(chars[start..<i])) else { throw bad() }
                if i < chars.count, chars[i] == "/" {
                    i += 1
                    let dstart = i
                    while i < chars.count, chars[i].isNumber || chars[i] == "." { i += 1 }
                    guard i > dstart, let d = Double(String(chars[dstart..<i])), d != 0 else { throw bad() }
                    v /= d
                }
                number = v
                if i < chars.count, chars[i] == "*" { i += 1 }
            }
            if i < chars.count, let axis = ["x": 0, "y": 1, "z": 2][chars[i].lowercased()] {
                row[axis] += sign * (number ?? 1)
                i += 1
            } else if let v = number {
                shift += sign * v
            } else {
                throw bad()
            }
        }
        return (row, shift)
    }
}
