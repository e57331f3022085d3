import X3Core

/// Gaussian cube and XCrySDen XSF text of a map with its structure, readable by VESTA,
/// VMD, OVITO and ASE.
///
/// Cube (lengths in bohr, 1 bohr = 0.5291772105638411 Å, the CODATA 2014 value ASE uses):
/// a comment line, then "OUTER LOOP: X, MIDDLE LOOP: Y, INNER LOOP: Z" (ASE reads the
/// loop order from it, so nothing else may follow); the atom count and the origin (0, 0, 0); per axis nᵢ and the voxel
/// vector aᵢ/nᵢ; one line per atom (Z, charge 0, x, y, z); then the values with k₃
/// fastest, six per line, each k₃ row starting a new line. The grid is periodic: the
/// points of the far faces are not repeated (as ASE's `write_cube` writes and reads).
///
/// XSF (lengths in Å): CRYSTAL, PRIMVEC, PRIMCOORD, and a DATAGRID_3D block. XSF grids
/// are "general": they include the far faces, so (n₁+1)(n₂+1)(n₃+1) values are written,
/// the last point of each axis repeating the first; the spanning vectors are the lattice
/// vectors; values run with the first index fastest.
public enum VolumetricFiles {
    public static let bohr = 0.5291772105638411

    public static func cube(_ map: ContributionMap, structure s: Structure, comment: String) -> String {
        var out = oneLine(comment) + "\n"
        out += "OUTER LOOP: X, MIDDLE LOOP: Y, INNER LOOP: Z\n"
        let atoms = s.wrapped()
        out += pad(atoms.count, 5) + coordinates(Vec3(0, 0, 0)) + "\n"
        let a = [map.lattice.vectors.0, map.lattice.vectors.1, map.lattice.vectors.2]
        let n = [map.n1, map.n2, map.n3]
        for i in 0..<3 { out += pad(n[i], 5) + coordinates(a[i] / Double(n[i]) / bohr) + "\n" }
        for (z, r) in zip(atoms.atomicNumbers, atoms.cartesianPositions) {
            out += pad(z, 5) + " " + formatFixed(0, 6) + coordinates(r / bohr) + "\n"
        }
        for row in 0..<(map.n1 * map.n2) {
            for k in 0..<map.n3 {
                out += (k % 6 == 0 ? "" : " ") + formatScientific(map.values[row * map.n3 + k], 8)
                if k % 6 == 5 || k == map.n3 - 1 { out += "\n" }
            }
        }
        return out
    }

    public static func xsf(_ map: ContributionMap, structure s: Structure, comment: String) -> String {
        var out = "# " + oneLine(comment) + "\n# libx3mat; lengths in Å\nCRYSTAL\nPRIMVEC\n"
        let a = [map.lattice.vectors.0, map.lattice.vectors.1, map.lattice.vectors.2]
        for v in a { out += coordinates(v) + "\n" }
        let atoms = s.wrapped()
        out += "PRIMCOORD\n\(atoms.count) 1\n"
        for (z, r) in zip(atoms.atomicNumbers, atoms.cartesianPositions) { out += "\(z)" + coordinates(r) + "\n" }
        out += "BEGIN_BLOCK_DATAGRID_3D\n x3mat_contribution_map\n BEGIN_DATAGRID_3D_\(identifier(map.name))\n"
        out += "  \(map.n1 + 1) \(map.n2 + 1) \(map.n3 + 1)\n" + coordinates(Vec3(0, 0, 0)) + "\n"
        for v in a { out += coordinates(v) + "\n" }
        for k3 in 0...map.n3 {
            for k2 in 0...map.n2 {
                var line = " "
                for k1 in 0...map.n1 {
                    line += " " + formatScientific(map[k1 % map.n1, k2 % map.n2, k3 % map.n3], 8)
                }
                out += line + "\n"
            }
        }
        out += " END_DATAGRID_3D\nEND_BLOCK_DATAGRID_3D\n"
        return out
    }

    private static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: " ", count: max(0, width - s.count)) + s
    }

    private static func coordinates(_ v: Vec3) -> String {
        [v.x, v.y, v.z].map { " " + formatFixed($0, 8) }.joined()
    }

    private static func oneLine(_ s: String) -> String {
        String(s.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }

    /// XSF block names are single words.
    static func identifier(_ s: String) -> String {
        String(s.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." ? $0 : "_" })
    }
}
