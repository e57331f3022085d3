/// A periodic crystal structure: a lattice and the atoms of one unit cell.
///
/// Positions are kept in fractional coordinates (the CIF reader wraps them into [0, 1);
/// structures built from arrays keep them as given). Cartesian positions follow the
/// `Lattice` conventions: r = f · cell, Å.
public struct Structure: Sendable, Equatable {
    /// A name: the CIF data block name, or what the caller gave.
    public var name: String
    public var lattice: Lattice
    /// Atomic numbers, one per atom.
    public private(set) var atomicNumbers: [Int]
    /// Fractional coordinates, one per atom.
    public private(set) var fractionalPositions: [Vec3]
    /// Site labels from the CIF (`Si1`, `O12`), or "" when built from arrays.
    public private(set) var labels: [String]
    /// Site occupancies (1 unless the CIF said otherwise). Partially occupied sites are
    /// kept as full atoms and listed in `warnings`.
    public private(set) var occupancies: [Double]
    /// Things the reader noticed and did not treat as errors: partial occupancy,
    /// coinciding atoms that were merged, overlapping atoms of different elements.
    public var warnings: [String] = []
    /// The symmetry operations its source file listed (identity first; the CIF's
    /// `_symmetry_equiv_pos_as_xyz`), in this structure's cell and origin; empty when the
    /// source listed none (a structure built from arrays). Only a claim of the file:
    /// X3Symmetry keeps those that map the atoms onto themselves.
    public var symmetryOperations: [SymmetryOperation] = []

    /// Builds a structure, checking that every atomic number is in the element table
    /// and every coordinate is finite.
    public init(name: String, lattice: Lattice, atomicNumbers: [Int], fractionalPositions: [Vec3],
                labels: [String]? = nil, occupancies: [Double]? = nil) throws {
        guard atomicNumbers.count == fractionalPositions.count else {
            throw X3Error(.invalidArgument,
                "\(atomicNumbers.count) atomic numbers for \(fractionalPositions.count) positions")
        }
        for (i, z) in atomicNumbers.enumerated() where Elements.element(z: z) == nil {
            throw X3Error(.unknownElement,
                "atom \(i): atomic number \(z) is not in the element table (1...\(Elements.maxZ))")
        }
        for (i, f) in fractionalPositions.enumerated() where !(f.x.isFinite && f.y.isFinite && f.z.isFinite) {
            throw X3Error(.invalidArgument, "atom \(i): position \(f) is not finite")
        }
        self.name = name
        self.lattice = lattice
        self.atomicNumbers = atomicNumbers
        self.fractionalPositions = fractionalPositions
        self.labels = labels ?? Array(repeating: "", count: atomicNumbers.count)
        self.occupancies = occupancies ?? Array(repeating: 1, count: atomicNumbers.count)
        precondition(self.labels.count == atomicNumbers.count && self.occupancies.count == atomicNumbers.count)
    }

    /// Builds a structure from Cartesian positions in Å.
    public init(name: String, lattice: Lattice, atomicNumbers: [Int], cartesianPositions: [Vec3]) throws {
        try self.init(name: name, lattice: lattice, atomicNumbers: atomicNumbers,
                      fractionalPositions: cartesianPositions.map { lattice.fractional($0) })
    }

    public var count: Int { atomicNumbers.count }

    /// Cartesian positions, Å.
    public var cartesianPositions: [Vec3] { fractionalPositions.map { lattice.cartesian($0) } }

    /// True when any site has occupancy different from 1 (beyond 1e-6).
    public var hasPartialOccupancy: Bool { occupancies.contains { abs($0 - 1) > 1e-6 } }

    /// Mass of the cell contents, g/mol (= u per cell).
    public var mass: Double {
        atomicNumbers.reduce(0) { $0 + Elements.all[$1 - 1].mass }
    }

    /// 1 u/Å³ in g/cm³ (CODATA 2018 atomic mass constant 1.66053906660e-24 g).
    public static let gramsPerCm3PerDaltonPerA3 = 1.66053906660

    /// Mass density, g/cm³.
    public var density: Double { mass / lattice.volume * Structure.gramsPerCm3PerDaltonPerA3 }

    /// Element counts keyed by atomic number.
    public var composition: [Int: Int] {
        var c = [Int: Int]()
        for z in atomicNumbers { c[z, default: 0] += 1 }
        return c
    }

    /// Chemical formula of the cell contents in Hill order: C first, then H, then the
    /// other elements alphabetically; with no carbon, all elements alphabetically.
    /// Counts of 1 are omitted ("CH4", "O48Si24"). "" for an empty structure.
    public var formula: String { Elements.hillFormula(composition) }

    /// A copy with every fractional coordinate wrapped into [0, 1).
    public func wrapped() -> Structure {
        var s = self
        s.fractionalPositions = fractionalPositions.map(Lattice.wrap)
        return s
    }
}
