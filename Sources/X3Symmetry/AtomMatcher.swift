import X3Core

/// Tells whether a symmetry operation maps a structure's atoms onto atoms of the same
/// element, each within a distance tolerance (Å, through the periodic boundaries), with
/// the atoms in `PeriodicBins` at least `max(tolerance, 1 Å)` wide.
struct AtomMatcher {
    let structure: Structure
    let tolerance: Double
    private var bins: PeriodicBins
    private let positions: [Vec3]

    init(_ s: Structure, tolerance: Double) {
        structure = s
        self.tolerance = tolerance
        positions = s.fractionalPositions.map(Lattice.wrap)
        bins = PeriodicBins(lattice: s.lattice, width: max(tolerance, 1))
        for f in positions { bins.insert(f) }
    }

    /// The index of an atom of atomic number `z` within the tolerance of fractional `f`, or nil.
    func atom(near f: Vec3, z: Int) -> Int? {
        let p = Lattice.wrap(f)
        let tol2 = tolerance * tolerance
        var found: Int? = nil
        bins.forEach(near: p) { j in
            guard structure.atomicNumbers[j] == z else { return true }
            var d = positions[j] - p
            d -= d.rounded(.toNearestOrAwayFromZero)
            let r = structure.lattice.cartesian(d)
            if dot(r, r) <= tol2 { found = j; return false }
            return true
        }
        return found
    }

    /// True when `op` sends every atom within the tolerance of an atom of its element,
    /// and no two atoms onto the same one.
    func maps(_ op: SymmetryOperation) -> Bool {
        var hit = [Bool](repeating: false, count: structure.count)
        for (i, f) in structure.fractionalPositions.enumerated() {
            guard let j = atom(near: op.apply(f), z: structure.atomicNumbers[i]), !hit[j] else { return false }
            hit[j] = true
        }
        return true
    }
}
