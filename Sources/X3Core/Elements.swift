/// The periodic table as libx3mat needs it: symbol, atomic number, standard atomic
/// mass and covalent radius, for Z = 1 (H) to 96 (Cm).
///
/// Sources:
/// - Masses: IUPAC 2016 standard atomic weights (conventional values; for elements with
///   no stable isotope, the mass number of the longest-lived isotope), in g/mol (= u).
/// - Covalent radii: B. Cordero, V. Gómez, A. E. Platero-Prats, M. Revés, J. Echeverría,
///   E. Cremades, F. Barragán and S. Alvarez, "Covalent radii revisited", Dalton Trans.
///   2008, 2832–2838, Table 2, in Å. For C the sp³ value (0.76 Å); for Mn, Fe and Co the
///   low-spin values; these are the same choices ASE makes (`ase.data.covalent_radii`).
/// Values were transcribed once from ASE 3.x's tables, which cite the same two sources.
public struct Element: Sendable, Equatable {
    /// Atomic number Z.
    public let z: Int
    /// Symbol with the usual capitalisation ("Si", "O").
    public let symbol: String
    /// Standard atomic weight, g/mol.
    public let mass: Double
    /// Covalent radius, Å (Cordero et al. 2008).
    public let covalentRadius: Double
}

public enum Elements {
    /// Highest atomic number in the table.
    public static let maxZ = 96

    private struct E {
        let symbol: String, mass: Double, radius: Double
        init(_ s: String, _ m: Double, _ r: Double) { symbol = s; mass = m; radius = r }
    }

    private static let data: [E] = [
        E("H", 1.008, 0.31),
        E("He", 4.0026, 0.28),
        E("Li", 6.94, 1.28),
        E("Be", 9.01218, 0.96),
        E("B", 10.81, 0.84),
        E("C", 12.011, 0.76),
        E("N", 14.007, 0.71),
        E("O", 15.999, 0.66),
        E("F", 18.9984, 0.57),
        E("Ne", 20.1797, 0.58),
        E("Na", 22.9898, 1.66),
        E("Mg", 24.305, 1.41),
        E("Al", 26.9815, 1.21),
        E("Si", 28.085, 1.11),
        E("P", 30.9738, 1.07),
        E("S", 32.06, 1.05),
        E("Cl", 35.45, 1.02),
        E("Ar", 39.948, 1.06),
        E("K", 39.0983, 2.03),
        E("Ca", 40.078, 1.76),
        E("Sc", 44.9559, 1.70),
        E("Ti", 47.867, 1.60),
        E("V", 50.9415, 1.53),
        E("Cr", 51.9961, 1.39),
        E("Mn", 54.938, 1.39),
        E("Fe", 55.845, 1.32),
        E("Co", 58.9332, 1.26),
        E("Ni", 58.6934, 1.24),
        E("Cu", 63.546, 1.32),
        E("Zn", 65.38, 1.22),
        E("Ga", 69.723, 1.22),
        E("Ge", 72.63, 1.20),
        E("As", 74.9216, 1.19),
        E("Se", 78.971, 1.20),
        E("Br", 79.904, 1.20),
        E("Kr", 83.798, 1.16),
        E("Rb", 85.4678, 2.20),
        E("Sr", 87.62, 1.95),
        E("Y", 88.9058, 1.90),
        E("Zr", 91.224, 1.75),
        E("Nb", 92.9064, 1.64),
        E("Mo", 95.95, 1.54),
        E("Tc", 97.9072, 1.47),
        E("Ru", 101.07, 1.46),
        E("Rh", 102.906, 1.42),
        E("Pd", 106.42, 1.39),
        E("Ag", 107.868, 1.45),
        E("Cd", 112.414, 1.44),
        E("In", 114.818, 1.42),
        E("Sn", 118.71, 1.39),
        E("Sb", 121.76, 1.39),
        E("Te", 127.6, 1.38),
        E("I", 126.904, 1.39),
        E("Xe", 131.293, 1.40),
        E("Cs", 132.905, 2.44),
        E("Ba", 137.327, 2.15),
        E("La", 138.905, 2.07),
        E("Ce", 140.116, 2.04),
        E("Pr", 140.908, 2.03),
        E("Nd", 144.242, 2.01),
        E("Pm", 144.913, 1.99),
        E("Sm", 150.36, 1.98),
        E("Eu", 151.964, 1.98),
        E("Gd", 157.25, 1.96),
        E("Tb", 158.925, 1.94),
        E("Dy", 162.5, 1.92),
        E("Ho", 164.93, 1.92),
        E("Er", 167.259, 1.89),
        E("Tm", 168.934, 1.90),
        E("Yb", 173.054, 1.87),
        E("Lu", 174.967, 1.87),
        E("Hf", 178.49, 1.75),
        E("Ta", 180.948, 1.70),
        E("W", 183.84, 1.62),
        E("Re", 186.207, 1.51),
        E("Os", 190.23, 1.44),
        E("Ir", 192.217, 1.41),
        E("Pt", 195.084, 1.36),
        E("Au", 196.967, 1.36),
        E("Hg", 200.592, 1.32),
        E("Tl", 204.38, 1.45),
        E("Pb", 207.2, 1.46),
        E("Bi", 208.98, 1.48),
        E("Po", 208.982, 1.40),
        E("At", 209.987, 1.50),
        E("Rn", 222.018, 1.50),
        E("Fr", 223.02, 2.60),
        E("Ra", 226.025, 2.21),
        E("Ac", 227.028, 2.15),
        E("Th", 232.038, 2.06),
        E("Pa", 231.036, 2.00),
        E("U", 238.029, 1.96),
        E("Np", 237.048, 1.90),
        E("Pu", 244.064, 1.87),
        E("Am", 243.061, 1.80),
        E("Cm", 247.07, 1.69),
    ]

    /// All elements, index Z - 1.
    public static let all: [Element] = data.enumerated().map {
        Element(z: $0.offset + 1, symbol: $0.element.symbol, mass: $0.element.mass,
                covalentRadius: $0.element.radius)
    }

    private static let bySymbol: [String: Int] = {
        var d = [String: Int]()
        for e in all { d[e.symbol] = e.z }
        return d
    }()

    /// The element with atomic number `z`, or nil outside 1...96.
    /// Chemical formula in Hill order from counts by atomic number: C first, then H, then
    /// the other elements alphabetically; with no carbon, all alphabetically. Counts of 1
    /// are omitted ("CH4", "O48Si24"); "" for no atoms.
    public static func hillFormula(_ counts: [Int: Int]) -> String {
        let comp = counts.map { (all[$0.key - 1].symbol, $0.value) }
        let hasCarbon = comp.contains { $0.0 == "C" }
        let ordered = comp.sorted { l, r in
            if hasCarbon {
                let rank = { (s: String) -> Int in s == "C" ? 0 : (s == "H" ? 1 : 2) }
                if rank(l.0) != rank(r.0) { return rank(l.0) < rank(r.0) }
            }
            return l.0 < r.0
        }
        return ordered.map { $0.1 == 1 ? $0.0 : "\($0.0)\($0.1)" }.joined()
    }

    /// Hill formula of a list of atomic numbers.
    public static func hillFormula(atomicNumbers z: some Sequence<Int32>) -> String {
        var counts: [Int: Int] = [:]
        for v in z { counts[Int(v), default: 0] += 1 }
        return hillFormula(counts)
    }

    public static func element(z: Int) -> Element? {
        (1...maxZ).contains(z) ? all[z - 1] : nil
    }

    /// The atomic number of an exact symbol ("Si"; case-sensitive), or nil.
    public static func atomicNumber(exactSymbol s: String) -> Int? { bySymbol[s] }

    /// The atomic number of a symbol in any capitalisation ("SI", "si", "Si"), or nil.
    public static func atomicNumber(symbol s: String) -> Int? {
        guard let first = s.first else { return nil }
        let canonical = first.uppercased() + s.dropFirst().lowercased()
        return bySymbol[canonical]
    }

    /// The element of a CIF type symbol or atom label, following what databases write:
    /// `Si`, `O2-`, `Zn2+`, `Si12`, `O1`, `Zn1a`, `CA1`, `C_R`, `H1A`.
    ///
    /// Rule: take the leading letters. If the first two letters, read with the second in
    /// lower case, are a symbol and the second letter was written in lower case (or the
    /// one-letter reading is no symbol), it is that two-letter element; otherwise the first
    /// letter alone. So `Ca1` is calcium, `CA1` is carbon (label convention, as in
    /// PDB-derived CIFs), `Cu1` copper, `C1a` carbon, `D` deuterium counts as hydrogen,
    /// `T1` (an IZA T-site label) is no element.
    /// Returns nil when nothing matches.
    public static func atomicNumber(label raw: Substring) -> Int? {
        let letters = raw.prefix { $0.isLetter && $0.isASCII }
        guard let c0 = letters.first else { return nil }
        let one = String(c0).uppercased()
        var oneZ = bySymbol[one]
        if one == "D" { oneZ = 1 }  // deuterium (T is not tritium: IZA labels T-atoms T1, T2)
        if letters.count >= 2 {
            let c1 = letters[letters.index(after: letters.startIndex)]
            let two = one + String(c1).lowercased()
            if let z = bySymbol[two], c1.isLowercase || oneZ == nil {
                return z
            }
        }
        return oneZ
    }
}
