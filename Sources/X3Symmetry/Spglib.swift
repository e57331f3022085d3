import CSpglib
import X3Core

/// The space group of a structure as spglib finds it (`spg_get_dataset`).
public struct SpglibDataset: Sendable {
    /// International Tables number, 1...230.
    public let number: Int
    /// Hermann–Mauguin symbol, e.g. "Fd-3m".
    public let symbol: String
    /// The operations in the structure's own cell and origin (all of them, including the
    /// pure translations of a supercell), identity first.
    public let operations: [SymmetryOperation]

    /// spglib keeps its error state in a global, so calls are serialised.
    private static let lock = ForkSafeMutex(())

    /// Searches the symmetry of `s` with distance tolerance `tolerance` (Å, spglib's
    /// `symprec`). Throws `.dependency` with spglib's message when the search fails
    /// (atoms too close, say).
    public init(_ s: Structure, tolerance: Double) throws {
        guard tolerance.isFinite, tolerance > 0 else {
            throw X3Error(.invalidArgument, "symmetry tolerance \(tolerance) Å; it must be a positive finite number")
        }
        guard s.count > 0 else { throw X3Error(.invalidArgument, "the structure has no atoms") }
        // spglib's lattice has the basis vectors as columns: lattice[i][j] = component i of vector j.
        let (a, b, c) = s.lattice.vectors
        var lattice = [(a.x, b.x, c.x), (a.y, b.y, c.y), (a.z, b.z, c.z)]
        var positions = s.fractionalPositions.map { ($0.x, $0.y, $0.z) }
        var types = s.atomicNumbers.map(Int32.init)
        let result: Result<(Int, String, [SymmetryOperation]), X3Error> = Self.lock.withLock { _ in
            guard let d = spg_get_dataset(&lattice, &positions, &types, Int32(s.count), tolerance),
                  d.pointee.spacegroup_number > 0 else {
                let message = String(cString: spg_get_error_message(spg_get_error_code()))
                return .failure(X3Error(.dependency,
                    "spglib found no space group (tolerance \(tolerance) Å): \(message)"))
            }
            defer { spg_free_dataset(d) }
            let ds = d.pointee
            let symbol = withUnsafeBytes(of: ds.international_symbol) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            var ops: [SymmetryOperation] = []
            for k in 0..<Int(ds.n_operations) {
                let r = ds.rotations[k], t = ds.translations[k]
                ops.append(SymmetryOperation(
                    rotation: (Vec3(Double(r.0.0), Double(r.0.1), Double(r.0.2)),
                               Vec3(Double(r.1.0), Double(r.1.1), Double(r.1.2)),
                               Vec3(Double(r.2.0), Double(r.2.1), Double(r.2.2))),
                    translation: Vec3(t.0, t.1, t.2)))
            }
            return .success((Int(ds.spacegroup_number), symbol, ops))
        }
        let (number, symbol, ops) = try result.get()
        self.number = number
        self.symbol = symbol
        // Identity first (spglib lists it first in practice; this makes it a guarantee).
        var sorted = ops
        if let i = ops.firstIndex(where: \.isIdentityModuloLattice), i != 0 { sorted.swapAt(0, i) }
        self.operations = sorted
    }
}
