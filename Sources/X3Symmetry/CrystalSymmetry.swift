import X3Core

/// The symmetry operations of a crystal structure that map its atoms onto themselves.
///
/// Where they come from:
/// - the operations its CIF lists (`Structure.symmetryOperations`), when it lists more
///   than the identity (the IZA files do);
/// - otherwise spglib's search on the atoms (`SpglibDataset`), with distance tolerance
///   `tolerance`.
/// Every candidate is checked: it must keep the cell's metric (`keepsMetric`) and send each
/// atom within `tolerance` (Å) of an atom of the same element. Translations within
/// `tolerance` of a multiple of 1/24 of the cell are set to it exactly (so they map a
/// window grid onto itself; see `WindowOrbits`).
/// The kept operations must form a group (modulo lattice translations); when they do not
/// (contradictory CIF operations, say), only the identity is kept and a warning says why.
/// Operations are in the structure's own cell and origin, fractional: f ↦ R f + t.
/// Nothing here throws for a structure: a failed search means the identity alone, with a
/// warning; the result is never a wrong symmetry.
public struct CrystalSymmetry: Sendable {
    public enum Source: String, Sendable {
        /// The operations listed in the structure's file.
        case file
        /// spglib's search.
        case spglib
        /// None found (or symmetry was not asked for): the identity alone.
        case none
    }

    /// The kept operations, identity first, one per coset of the lattice translations.
    public let operations: [SymmetryOperation]
    public let source: Source
    /// spglib's International Tables number and symbol, when spglib was asked.
    public let spaceGroupNumber: Int?
    public let spaceGroupSymbol: String?
    /// The distance tolerance used, Å.
    public let tolerance: Double
    /// Why operations were dropped, or why the search found none.
    public let warnings: [String]

    /// Default distance tolerance, Å.
    public static let defaultTolerance = 0.01
    /// Largest accepted tolerance, Å: beyond it distinct atoms could be matched.
    public static let maxTolerance = 0.5

    /// The identity alone.
    public static func trivial(tolerance: Double = defaultTolerance, warnings: [String] = []) -> CrystalSymmetry {
        CrystalSymmetry(operations: [.identity], source: .none, spaceGroupNumber: nil, spaceGroupSymbol: nil,
                        tolerance: tolerance, warnings: warnings)
    }

    private init(operations: [SymmetryOperation], source: Source, spaceGroupNumber: Int?, spaceGroupSymbol: String?,
                 tolerance: Double, warnings: [String]) {
        self.operations = operations
        self.source = source
        self.spaceGroupNumber = spaceGroupNumber
        self.spaceGroupSymbol = spaceGroupSymbol
        self.tolerance = tolerance
        self.warnings = warnings
    }

    /// Throws `.invalidArgument` for a tolerance outside (0, `maxTolerance`] Å.
    public static func validate(tolerance: Double) throws {
        guard tolerance.isFinite, tolerance > 0, tolerance <= maxTolerance else {
            throw X3Error(.invalidArgument,
                "symmetry tolerance \(tolerance) Å; it must be a positive number of at most \(maxTolerance) Å")
        }
    }

    /// The symmetry of `s` (see the type's description).
    public init(of s: Structure, tolerance: Double = defaultTolerance) throws {
        try Self.validate(tolerance: tolerance)
        var warnings: [String] = []
        var candidates: [SymmetryOperation]
        var source: Source
        var number: Int? = nil, symbol: String? = nil
        if s.symmetryOperations.count > 1 {
            candidates = s.symmetryOperations
            source = .file
        } else {
            do {
                let d = try SpglibDataset(s, tolerance: tolerance)
                candidates = d.operations
                source = .spglib
                number = d.number
                symbol = d.symbol
            } catch let e as X3Error {
                self = .trivial(tolerance: tolerance, warnings: ["symmetry: \(e.message); windows use no symmetry"])
                return
            }
        }
        let matcher = AtomMatcher(s, tolerance: tolerance)
        let lengths = [norm(s.lattice.vectors.0), norm(s.lattice.vectors.1), norm(s.lattice.vectors.2)]
        var kept: [SymmetryOperation] = []
        var failed = 0
        for op in candidates {
            let snapped = Self.snapped(op, lengths: lengths, tolerance: tolerance)
            if kept.contains(where: { $0.equalsModuloLattice(snapped) }) { continue }
            if Self.keepsMetric(snapped, s.lattice, tolerance: tolerance) && matcher.maps(snapped) {
                kept.append(snapped)
            } else {
                failed += 1
            }
        }
        if failed > 0 {
            warnings.append("symmetry: \(failed) of the \(candidates.count) \(source == .file ? "listed" : "spglib") "
                + "operations do not map the atoms onto themselves within \(tolerance) Å and were dropped")
        }
        if let i = kept.firstIndex(where: \.isIdentityModuloLattice) {
            kept.swapAt(0, i)
        } else {
            kept.insert(.identity, at: 0)
        }
        if !Self.isGroup(kept) {
            self = .trivial(tolerance: tolerance, warnings: warnings
                + ["symmetry: the \(kept.count) operations kept do not form a group; windows use no symmetry"])
            return
        }
        self.init(operations: kept, source: source, spaceGroupNumber: number, spaceGroupSymbol: symbol,
                  tolerance: tolerance, warnings: warnings)
    }

    /// True when the rotation keeps the cell's metric G (Gᵢⱼ = aᵢ · aⱼ): RᵀGR = G to
    /// within 2 L · tolerance (L the longest cell vector), the change of a squared length
    /// when a vector of length L moves by the tolerance. An operation that maps the
    /// fractional positions onto themselves but not the cell is no isometry.
    static func keepsMetric(_ op: SymmetryOperation, _ l: Lattice, tolerance: Double) -> Bool {
        let v = [l.vectors.0, l.vectors.1, l.vectors.2]
        let r = [op.rotation.0, op.rotation.1, op.rotation.2]
        let longest = v.map(norm).max()!
        // column j of R in Cartesian: the image of lattice vector j
        let image = (0..<3).map { (j: Int) -> Vec3 in
            let a: Vec3 = r[0][j] * v[0], b: Vec3 = r[1][j] * v[1], c: Vec3 = r[2][j] * v[2]
            return a + b + c
        }
        for i in 0..<3 {
            for j in 0..<3 where abs(dot(image[i], image[j]) - dot(v[i], v[j])) > 2 * longest * tolerance {
                return false
            }
        }
        return true
    }

    /// Translations are sent to the nearest multiple of 1/24 when within the tolerance of
    /// it (at most 1/96 of the cell, a quarter of the spacing), and into [0, 1).
    static func snapped(_ op: SymmetryOperation, lengths: [Double], tolerance: Double) -> SymmetryOperation {
        var t = op.translation
        for i in 0..<3 {
            let limit = min(1.0 / 96, tolerance / lengths[i])
            let k = (t[i] * 24).rounded()
            if abs(t[i] * 24 - k) <= 24 * limit { t[i] = k / 24 }
            t[i] -= t[i].rounded(.down)
            if t[i] >= 1 { t[i] = 0 }
        }
        return SymmetryOperation(rotation: op.rotation, translation: t)
    }

    /// True when every product of two operations is (modulo lattice translations) one of them.
    static func isGroup(_ ops: [SymmetryOperation]) -> Bool {
        var byRotation: [[Double]: [SymmetryOperation]] = [:]
        for op in ops { byRotation[op.rotationKey, default: []].append(op) }
        for a in ops {
            for b in ops {
                let c = a.after(b)
                guard let same = byRotation[c.rotationKey],
                      same.contains(where: { $0.equalsModuloLattice(c, tolerance: 1e-4) }) else { return false }
            }
        }
        return true
    }
}

extension SymmetryOperation {
    /// The nine rotation coefficients, row by row.
    var rotationKey: [Double] {
        [rotation.0.x, rotation.0.y, rotation.0.z, rotation.1.x, rotation.1.y, rotation.1.z,
         rotation.2.x, rotation.2.y, rotation.2.z]
    }
}
