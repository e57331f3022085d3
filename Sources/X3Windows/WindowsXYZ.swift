import X3Core

/// Writes windows as extended XYZ: one frame per window, in window order, readable by
/// ASE (`ase.io.read(path, index=":")`), OVITO and VMD.
///
/// Frame w:
/// ```
/// <number of atoms>
/// window=<w> grid_index="k1 k2 k3" centre="x y z" centre_frac="f1 f2 f3" radius=<R> structure=<name> Properties=species:S:1:pos:R:3:source:I:1:image:I:3 pbc="F F F"
/// <symbol> <x> <y> <z> <source> <n1> <n2> <n3>
/// ```
/// Positions are Cartesian Å relative to the window centre (8 decimals); `centre` is the
/// centre in the structure's Cartesian frame (Å), `centre_frac` in fractional coordinates;
/// `source` is the 0-based index of the atom in the structure and n1 n2 n3 its image
/// offset. `grid_index` is present only for grid windows. Empty windows are frames of
/// zero atoms. The file is written atomically (temporary file renamed into place).
public enum WindowsXYZ {
    public static func text(_ w: Windows, structureName: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(w.totalAtoms * 80 + w.count * 250)
        let name = structureName.isEmpty ? "structure" : String(structureName.map { $0 == " " || $0 == "\"" ? "_" : $0 })
        let symbols = Elements.all.map { Array($0.symbol.utf8) }
        func add(_ s: String) { out.append(contentsOf: s.utf8) }
        for win in 0..<w.count {
            add("\(w.atomCount(win))\nwindow=\(win)")
            if let g = w.grid {
                let (k1, k2, k3) = g.point(win)
                add(" grid_index=\"\(k1) \(k2) \(k3)\"")
            }
            let c = w.cartesianCentre(win), f = w.fractionalCentres[win]
            add(" centre=\"\(formatFixed(c.x, 8)) \(formatFixed(c.y, 8)) \(formatFixed(c.z, 8))\"")
            add(" centre_frac=\"\(formatFixed(f.x, 10)) \(formatFixed(f.y, 10)) \(formatFixed(f.z, 10))\"")
            add(" radius=\(formatFixed(w.radius, 6)) structure=\(String(name))")
            add(" Properties=species:S:1:pos:R:3:source:I:1:image:I:3 pbc=\"F F F\"\n")
            for e in w.atomRange(win) {
                out.append(contentsOf: symbols[Int(w.atomicNumbers[e]) - 1])
                for d in 0..<3 {
                    out.append(32)
                    appendFixed8(&out, w.positions[3 * e + d])
                }
                add(" \(w.sourceAtoms[e]) \(w.images[3 * e]) \(w.images[3 * e + 1]) \(w.images[3 * e + 2])\n")
            }
        }
        return out
    }

    public static func write(_ w: Windows, structureName: String, path: String) throws {
        try FileIO.writeAtomically(path: path, bytes: text(w, structureName: structureName))
    }

    /// Appends x with 8 decimals, rounded half away from zero (|x| < 1e9; window positions
    /// are bounded by the radius, which the sampler's atom cap keeps far below that).
    static func appendFixed8(_ out: inout [UInt8], _ x: Double) {
        guard abs(x) < 1e9 else {
            out.append(contentsOf: formatFixed(x, 8).utf8)
            return
        }
        let scaled = (abs(x) * 1e8).rounded(.toNearestOrAwayFromZero)
        var v = UInt64(scaled)
        if x < 0 && v != 0 { out.append(45) }  // "-", but never "-0.00000000"
        var digits = [UInt8](repeating: 48, count: 20)
        var n = 0
        repeat {
            digits[n] = UInt8(48 + v % 10)
            v /= 10
            n += 1
        } while v > 0 || n < 9
        for i in stride(from: n - 1, through: 8, by: -1) { out.append(digits[i]) }
        out.append(46)
        for i in stride(from: 7, through: 0, by: -1) { out.append(digits[i]) }
    }
}
