/// Writes a structure as a P1 CIF: cell parameters, the identity operator, and one
/// `_atom_site` row per atom (label, type symbol, fractional x y z, occupancy).
/// Coordinates carry 8 decimals (≈ 1e-7 Å for a 10 Å cell) and lengths 8 decimals,
/// so a file read back gives the same structure to well below 1e-6 Å.
public enum CIFWriter {
    public static func text(_ s: Structure) -> String {
        let p = s.lattice.parameters
        let name = s.name.isEmpty ? "x3mat" : s.name.map { $0.isWhitespace ? "_" : $0 }.reduce("") { $0 + String($1) }
        var out = "# written by libx3mat\n"
        out += "data_\(name)\n"
        out += "_symmetry_space_group_name_H-M   'P 1'\n"
        out += "_symmetry_Int_Tables_number      1\n"
        out += "_cell_length_a    \(fmt(p.a))\n_cell_length_b    \(fmt(p.b))\n_cell_length_c    \(fmt(p.c))\n"
        out += "_cell_angle_alpha \(fmt(p.alpha))\n_cell_angle_beta  \(fmt(p.beta))\n_cell_angle_gamma \(fmt(p.gamma))\n"
        out += "loop_\n_symmetry_equiv_pos_as_xyz\n'x, y, z'\n"
        out += "loop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n"
        out += "_atom_site_fract_z\n_atom_site_occupancy\n"
        var counters = [Int: Int]()
        for i in 0..<s.count {
            let z = s.atomicNumbers[i]
            let symbol = Elements.all[z - 1].symbol
            var label = s.labels[i].filter { !$0.isWhitespace }
            if label.isEmpty {
                counters[z, default: 0] += 1
                label = "\(symbol)\(counters[z]!)"
            }
            let f = s.fractionalPositions[i]
            out += "\(label) \(symbol) \(fmt(f.x)) \(fmt(f.y)) \(fmt(f.z)) \(fmt(s.occupancies[i], 4))\n"
        }
        return out
    }

    public static func write(_ s: Structure, path: String) throws {
        try FileIO.writeAtomically(path: path, text: text(s))
    }

    static func fmt(_ x: Double, _ decimals: Int = 8) -> String { formatFixed(x, decimals) }
}
