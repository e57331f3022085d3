#if canImport(Glibc)
import Glibc
#endif

/// Options for reading a CIF.
public struct CIFReadOptions: Sendable {
    /// Data block to read, by name (case-insensitive, without `data_`); nil: the first.
    public var block: String? = nil
    /// Atoms closer than this after symmetry expansion (or in a P1 list, e.g. one at
    /// x = 0 and one at x = 1) are one atom, Å. Default 0.05 Å: rounding of tabulated
    /// coordinates on special positions stays far below it, and no two real atoms are
    /// that close. Must lie in (0, 0.5].
    public var mergeTolerance: Double = 0.05

    /// Most atoms a structure may have after symmetry expansion. Default: the process
    /// limit `cif_max_atoms` (200,000 unless set; the largest CIF of the project's datasets
    /// has fewer than 3,000).
    public var maxAtoms: Int
    /// Most symmetry operators a data block may list (after removing repeats). Default:
    /// the process limit `cif_max_operations` (1,024 unless set; the largest space group
    /// has 192 in its conventional cell).
    public var maxOperations: Int
    /// Most atoms per Å³ after merging: 1, more than five times the densest solid
    /// (diamond, 0.18 atoms/Å³). A file past it has coordinates that overlap beyond any
    /// physical structure (or a wrong cell), and expanding it further would be wasted work.
    public static let maxAtomDensity = 1.0
    /// Largest |coordinate| accepted, in cells (fractional) or Å (Cartesian).
    public static let maxCoordinateMagnitude = 1e6

    public init(block: String? = nil, mergeTolerance: Double = 0.05, maxAtoms: Int? = nil,
                maxOperations: Int? = nil) {
        self.block = block
        self.mergeTolerance = mergeTolerance
        self.maxAtoms = maxAtoms ?? Limits.value(.cifMaxAtoms)
        self.maxOperations = maxOperations ?? Limits.value(.cifMaxOperations)
    }
}

/// Reads crystal structures from CIF files as real databases write them (IZA with
/// symmetry operators, QMOF/pymatgen P1, CoRE MOF/Materials Studio P1, hMOF).
///
/// What it does:
/// - cell from `_cell_length_a/b/c` (Å) and `_cell_angle_alpha/beta/gamma` (degrees),
///   oriented as `Lattice` documents (a along x, b in the xy plane);
/// - atoms from the loop holding `_atom_site_fract_x/y/z` (or `_atom_site_Cartn_x/y/z`
///   in the same orientation); the element from `_atom_site_type_symbol`, else from
///   `_atom_site_label` (`Si12`, `Zn1a`), see `Elements.atomicNumber(label:)`;
/// - symmetry operators from `_symmetry_equiv_pos_as_xyz` or
///   `_space_group_symop_operation_xyz`; every site is expanded, wrapped into [0, 1),
///   and images within `mergeTolerance` merged (the first image is kept); with no
///   operators the file must be P1 (by its H-M symbol or number, or by saying nothing);
/// - numbers with uncertainties (`0.1234(5)`) and quoted values;
/// - occupancy from `_atom_site_occupancy`: partial occupancy is kept, recorded per atom
///   and reported in `Structure.warnings`, never dropped silently.
/// Every fractional coordinate of the result lies in [0, 1).
public enum CIFReader {
    public static func read(path: String, options: CIFReadOptions = .init()) throws -> Structure {
        let bytes = try FileIO.readBytes(path: path)
        let doc = try CIFDocument(bytes: bytes, source: path)
        return try structure(from: doc, options: options)
    }

    public static func read(text: String, source: String = "<string>",
                            options: CIFReadOptions = .init()) throws -> Structure {
        let doc = try CIFDocument(text: text, source: source)
        return try structure(from: doc, options: options)
    }

    /// The symmetry operators of a CIF's first data block (or `block`), identity first;
    /// [identity] for a P1 file without operators.
    public static func symmetryOperations(path: String, block: String? = nil) throws -> [SymmetryOperation] {
        let doc = try CIFDocument(bytes: try FileIO.readBytes(path: path), source: path)
        guard let b = block.map({ name in doc.blocks.first { $0.name.lowercased() == name.lowercased() } }) ?? doc.blocks.first else {
            throw X3Error(.invalidArgument, "\(path): no data block\(block.map { " '\($0)'" } ?? "")")
        }
        return try symmetryOperations(b, source: path)
    }

    /// Names of the data blocks of a document, in file order.
    public static func blockNames(path: String) throws -> [String] {
        try CIFDocument(bytes: try FileIO.readBytes(path: path), source: path).blocks.map(\.name)
    }

    public static func structure(from doc: CIFDocument, options: CIFReadOptions = .init()) throws -> Structure {
        let source = doc.source
        guard options.mergeTolerance > 0, options.mergeTolerance <= 0.5 else {
            throw X3Error(.invalidArgument, "merge tolerance \(options.mergeTolerance) Å is outside (0, 0.5]")
        }
        guard options.maxAtoms > 0, options.maxOperations > 0 else {
            throw X3Error(.invalidArgument,
                "CIF caps must be positive (max atoms \(options.maxAtoms), max operations \(options.maxOperations))")
        }
        let dataBlocks = doc.blocks.filter { $0.name != "global_" }
        guard !dataBlocks.isEmpty else {
            throw X3Error.input(.parse, source: source, line: 0, "no data_ block (empty or truncated file?)")
        }
        let block: CIFBlock
        if let wanted = options.block {
            guard let b = dataBlocks.first(where: { $0.name.lowercased() == wanted.lowercased() }) else {
                throw X3Error.input(.invalidArgument, source: source, line: 0,
                    "no data block named '\(wanted)'; the file has: "
                    + dataBlocks.map { "'\($0.name)'" }.joined(separator: ", "))
            }
            block = b
        } else {
            block = dataBlocks[0]
        }
        let blockName = block.name
        var warnings = doc.warnings

        // ---- cell
        func number(_ tag: String, display: String) throws -> Double {
            guard let v = block.values(of: tag)?.first else {
                throw X3Error.input(.parse, source: source, line: block.line, field: display,
                    "missing: data block '\(blockName)' has no \(display)")
            }
            guard !v.isNull, let x = parseCIFNumber(v.text) else {
                throw X3Error.input(.parse, source: source, line: v.line, field: display,
                    "'\(v.text)' is not a number")
            }
            return x
        }
        let a = try number("_cell_length_a", display: "_cell_length_a")
        let b = try number("_cell_length_b", display: "_cell_length_b")
        let c = try number("_cell_length_c", display: "_cell_length_c")
        let alpha = try number("_cell_angle_alpha", display: "_cell_angle_alpha")
        let beta = try number("_cell_angle_beta", display: "_cell_angle_beta")
        let gamma = try number("_cell_angle_gamma", display: "_cell_angle_gamma")
        let given: Lattice
        do {
            given = try Lattice(a: a, b: b, c: c, alpha: alpha, beta: beta, gamma: gamma)
        } catch let e as X3Error {
            let line = block.items["_cell_length_a"]?.line ?? block.line
            throw X3Error.input(.invalidCell, source: source, line: line, field: "_cell_*", e.message)
        }

        // ---- symmetry operators
        let operations = try symmetryOperations(block, source: source)
        if operations.count > options.maxOperations {
            let line = operatorTags.lazy.compactMap { block.values(of: $0)?.first?.line }.first ?? block.line
            throw X3Error.input(.unsupported, source: source, line: line, field: "_symmetry_equiv_pos_as_xyz",
                "\(operations.count) distinct symmetry operators; at most \(options.maxOperations) are read "
                + "(the largest space group has 192; limit 'cif_max_operations')")
        }
        let lattice = symmetrized(given, operations)

        // ---- atom sites
        let fx = "_atom_site_fract_x", cx = "_atom_site_cartn_x"
        guard let loop = block.loop(containing: fx) ?? block.loop(containing: cx) else {
            throw X3Error.input(.parse, source: source, line: block.line, field: "_atom_site_fract_x",
                "missing: data block '\(blockName)' has no atom positions "
                + "(a loop with _atom_site_fract_x/y/z or _atom_site_Cartn_x/y/z)")
        }
        let fractional = loop.column(fx) != nil
        let prefix = fractional ? "_atom_site_fract_" : "_atom_site_cartn_"
        var coordinateColumns: [Int] = []
        for axis in ["x", "y", "z"] {
            guard let col = loop.column(prefix + axis) else {
                throw X3Error.input(.parse, source: source, line: loop.line, field: prefix + axis,
                                    "missing: the atom loop has no \(prefix + axis) column")
            }
            coordinateColumns.append(col)
        }
        let typeColumn = loop.column("_atom_site_type_symbol")
        let labelColumn = loop.column("_atom_site_label")
        let occupancyColumn = loop.column("_atom_site_occupancy")
        guard typeColumn != nil || labelColumn != nil else {
            throw X3Error.input(.parse, source: source, line: loop.line, field: "_atom_site_type_symbol",
                "missing: the atom loop has neither _atom_site_type_symbol nor _atom_site_label")
        }
        guard !loop.rows.isEmpty else {
            throw X3Error.input(.parse, source: source, line: loop.line, "the atom loop has no rows")
        }

        var merger = AtomMerger(lattice: lattice, tolerance: options.mergeTolerance)
        // Expansion stops at whichever cap comes first: the atom count or the density.
        let atomCap = min(options.maxAtoms, max(1, Int(min(1e9, CIFReadOptions.maxAtomDensity * lattice.volume))))
        for (siteIndex, row) in loop.rows.enumerated() {
            let label = labelColumn.map { row[$0].text } ?? ""
            let siteName = label.isEmpty ? "row \(siteIndex + 1)" : "site \(label)"
            // element
            var z: Int? = nil
            var elementValue: CIFValue
            var elementField: String
            if let tc = typeColumn, !row[tc].isNull {
                elementValue = row[tc]
                elementField = "_atom_site_type_symbol"
                let letters = elementValue.text.prefix { $0.isLetter }
                z = Elements.atomicNumber(symbol: String(letters)) ?? Elements.atomicNumber(label: Substring(elementValue.text))
            } else if let lc = labelColumn {
                elementValue = row[lc]
                elementField = "_atom_site_label"
                z = Elements.atomicNumber(label: Substring(elementValue.text))
            } else {
                elementValue = row[typeColumn!]
                elementField = "_atom_site_type_symbol"
            }
            guard let atomicNumber = z else {
                throw X3Error.input(.unknownElement, source: source, line: elementValue.line, field: elementField,
                    "'\(elementValue.text)' is not an element symbol (\(siteName))")
            }
            // coordinates
            var p = Vec3.zero
            for k in 0..<3 {
                let v = row[coordinateColumns[k]]
                guard !v.isNull, let x = parseCIFNumber(v.text) else {
                    throw X3Error.input(.parse, source: source, line: v.line, field: prefix + ["x", "y", "z"][k],
                        "'\(v.text)' is not a number (\(siteName))")
                }
                guard abs(x) <= CIFReadOptions.maxCoordinateMagnitude else {
                    throw X3Error.input(.parse, source: source, line: v.line, field: prefix + ["x", "y", "z"][k],
                        "'\(v.text)' is too large (\(siteName)); |coordinate| must not exceed "
                        + "\(Int(CIFReadOptions.maxCoordinateMagnitude))")
                }
                p[k] = x
            }
            if !fractional { p = lattice.fractional(p) }
            // occupancy
            var occupancy = 1.0
            if let oc = occupancyColumn, !row[oc].isNull {
                let v = row[oc]
                guard let o = parseCIFNumber(v.text), o >= 0 else {
                    throw X3Error.input(.parse, source: source, line: v.line, field: "_atom_site_occupancy",
                        "'\(v.text)' is not an occupancy (\(siteName))")
                }
                occupancy = o
                if abs(o - 1) > 1e-6 {
                    warnings.append("\(source):\(v.line): \(siteName) has occupancy \(v.text); "
                        + "kept as a full atom (partial occupancy)")
                }
            }
            for op in operations {
                merger.add(fractional: Lattice.wrap(op.apply(p)), z: atomicNumber, site: siteIndex,
                           label: label, occupancy: occupancy, line: row[coordinateColumns[0]].line)
            }
            if merger.positions.count > atomCap {
                let line = row[coordinateColumns[0]].line
                if merger.positions.count > options.maxAtoms {
                    throw X3Error.input(.outOfMemory, source: source, line: line, field: prefix + "x",
                        "the structure expands to more than \(options.maxAtoms) atoms by \(siteName) "
                        + "(\(operations.count) symmetry operators); raise the cap (limit 'cif_max_atoms') to read it")
                }
                throw X3Error.input(.parse, source: source, line: line, field: prefix + "x",
                    "by \(siteName) the cell holds \(merger.positions.count) distinct atoms in "
                    + "\(Int(lattice.volume.rounded())) Å³, more than \(CIFReadOptions.maxAtomDensity) per Å³: "
                    + "the sites overlap beyond any real structure (wrong cell or coordinates?)")
            }
        }
        warnings += merger.allWarnings.map { "\(source): \($0)" }
        var s = try Structure(name: blockName, lattice: lattice, atomicNumbers: merger.atomicNumbers,
                              fractionalPositions: merger.symmetrizedPositions, labels: merger.labels,
                              occupancies: merger.occupancies)
        s.warnings = warnings
        s.symmetryOperations = operations
        return s
    }

    /// The cell whose metric tensor G (Gᵢⱼ = aᵢ · aⱼ) the listed operations leave exactly
    /// unchanged: the mean of RᵀGR over them, when it is within 10⁻⁴ (relative) of the
    /// given G. Files round their cell parameters, so a hexagonal cell can read
    /// a = 12.93705, b = 12.93700 Å (IZA's PTT), which no hexagonal operation maps onto
    /// itself; the mean restores a = b. Otherwise (an exact cell, or one far from the
    /// symmetry, whose operations the symmetry check then refuses) the cell as given.
    static func symmetrized(_ l: Lattice, _ ops: [SymmetryOperation]) -> Lattice {
        guard ops.count > 1 else { return l }
        let v = [l.vectors.0, l.vectors.1, l.vectors.2]
        let g = (0..<3).map { i in (0..<3).map { j in dot(v[i], v[j]) } }
        var m = [[Double]](repeating: [0, 0, 0], count: 3)
        for op in ops {
            let r = [op.rotation.0, op.rotation.1, op.rotation.2]
            for i in 0..<3 { for j in 0..<3 {
                var x = 0.0
                for k in 0..<3 { for n in 0..<3 { x += r[k][i] * g[k][n] * r[n][j] } }
                m[i][j] += x / Double(ops.count)
            }}
        }
        var scale = 0.0, change = 0.0
        for i in 0..<3 {
            for j in 0..<3 {
                scale = max(scale, abs(g[i][j]))
                change = max(change, abs(m[i][j] - g[i][j]))
            }
        }
        guard change > 1e-12 * scale, change <= 1e-4 * scale else { return l }
        let a = m[0][0].squareRoot(), b = m[1][1].squareRoot(), c = m[2][2].squareRoot()
        func angle(_ x: Double) -> Double { acos(max(-1, min(1, x))) * 180 / .pi }
        return (try? Lattice(a: a, b: b, c: c, alpha: angle(m[1][2] / (b * c)), beta: angle(m[0][2] / (a * c)),
                             gamma: angle(m[0][1] / (a * b)))) ?? l
    }

    static let operatorTags = ["_symmetry_equiv_pos_as_xyz", "_space_group_symop_operation_xyz"]
    static let hmTags = ["_symmetry_space_group_name_h-m", "_space_group_name_h-m_alt"]
    static let numberTags = ["_symmetry_int_tables_number", "_space_group_it_number"]

    static func symmetryOperations(_ block: CIFBlock, source: String) throws -> [SymmetryOperation] {
        for tag in operatorTags {
            guard let values = block.values(of: tag) else { continue }
            var ops: [SymmetryOperation] = []
            for v in values {
                do { ops.append(try SymmetryOperation(parsing: v.text)) } catch let e as X3Error {
                    throw X3Error.input(.parse, source: source, line: v.line, field: tag, e.message)
                }
            }
            if !ops.contains(.identity) { ops.insert(.identity, at: 0) }
            // Repeated operators (also the same one with translations differing by whole
            // cells) add no atom; drop them so that they cost nothing.
            var seen = Set<[Double]>()
            return ops.filter { op in
                let t = Lattice.wrap(op.translation)
                let r = op.rotation
                return seen.insert([r.0.x, r.0.y, r.0.z, r.1.x, r.1.y, r.1.z, r.2.x, r.2.y, r.2.z,
                                    (t.x * 1e6).rounded(), (t.y * 1e6).rounded(), (t.z * 1e6).rounded()]).inserted
            }
        }
        // No operators: only P1 can be read.
        for tag in numberTags {
            if let v = block.items[tag], !v.isNull, let n = parseCIFNumber(v.text), n != 1 {
                throw X3Error.input(.unsupported, source: source, line: v.line, field: tag,
                    "space group \(v.text) is given without its symmetry operators "
                    + "(_symmetry_equiv_pos_as_xyz); generating them from the group is not supported")
            }
        }
        for tag in hmTags {
            if let v = block.items[tag], !v.isNull {
                let compact = v.text.filter { !$0.isWhitespace }.lowercased()
                if compact != "p1" {
                    throw X3Error.input(.unsupported, source: source, line: v.line, field: tag,
                        "space group '\(v.text)' is given without its symmetry operators "
                        + "(_symmetry_equiv_pos_as_xyz); generating them from the symbol is not supported")
                }
            }
        }
        return [.identity]
    }
}

/// Collects atoms, merging those that coincide within a tolerance (minimum image), with
/// the atoms in `PeriodicBins` at least 1 Å wide. The images of one site that coincide (a
/// site on a special position, whose tabulated coordinates are rounded) become one atom at
/// their mean, which the operations that produced them map exactly onto itself: the
/// expanded structure has the file's symmetry to rounding, not only to the precision of
/// its coordinates.
struct AtomMerger {
    let lattice: Lattice
    let tolerance: Double
    private var bins: PeriodicBins
    var positions: [Vec3] = []
    var atomicNumbers: [Int] = []
    var labels: [String] = []
    var occupancies: [Double] = []
    var sites: [Int] = []
    var warnings: [String] = []
    /// Per atom: the sum of the fractional displacements of its site's coinciding images
    /// from its position, and their number (itself included).
    private var shifts: [Vec3] = [], images: [Int] = []
    /// Pairs of sites already warned about (or counted), as site₁ · 2³² + site₂.
    private var reportedPairs = Set<Int>()

    init(lattice: Lattice, tolerance: Double) {
        self.lattice = lattice
        self.tolerance = tolerance
        bins = PeriodicBins(lattice: lattice, width: 1)
    }

    /// Adds an atom at wrapped fractional position `f` unless one within tolerance exists.
    mutating func add(fractional f: Vec3, z: Int, site: Int, label: String, occupancy: Double, line: Int) {
        var near: [(atom: Int, r: Vec3, d: Double)] = []
        bins.forEach(near: f) { m in
            let r = lattice.minimumImage(lattice.cartesian(f - positions[m]))
            let d = norm(r)
            if d < tolerance { near.append((m, r, d)) }
            return true
        }
        for (m, r, d) in near {
            if sites[m] == site {  // a special position: the same atom again
                shifts[m] += lattice.fractional(r)
                images[m] += 1
                return
            }
            let other = labels[m], otherZ = atomicNumbers[m]
            if otherZ == z {
                report(sites[m], site) {
                    "line \(line): site \(label) coincides with site \(other) (\(Self.formatted(d)) Å apart); "
                        + "merged into one atom"
                }
                return
            }
            report(sites[m], site) {
                "line \(line): site \(label) (Z=\(z)) overlaps site \(other) (Z=\(otherZ)), "
                    + "\(Self.formatted(d)) Å apart; both kept (disorder?)"
            }
        }
        bins.insert(f)
        positions.append(f)
        shifts.append(.zero)
        images.append(1)
        atomicNumbers.append(z)
        labels.append(label)
        occupancies.append(occupancy)
        sites.append(site)
    }

    /// The atoms' positions: each at the mean of its site's coinciding images, wrapped into [0, 1).
    var symmetrizedPositions: [Vec3] {
        zip(positions, zip(shifts, images)).map { p, si in
            si.1 == 1 ? p : Lattice.wrap(p + si.0 / Double(si.1))
        }
    }

    /// Most warnings kept; past them only their number is (a broken file can raise one per atom).
    static let maxWarnings = 100
    private var unreported = 0

    /// Records the warning about a pair of sites once; past `maxWarnings`, only counts it.
    private mutating func report(_ a: Int, _ b: Int, _ text: () -> String) {
        guard reportedPairs.insert(a << 32 | b).inserted else { return }
        if warnings.count < AtomMerger.maxWarnings { warnings.append(text()) } else { unreported += 1 }
    }

    /// The warnings, with the number of those left out.
    var allWarnings: [String] {
        unreported == 0 ? warnings : warnings + ["\(unreported) more coinciding or overlapping sites (not listed)"]
    }

    private static func formatted(_ d: Double) -> String {
        let scaled = (d * 1000).rounded() / 1000
        return "\(scaled)"
    }
}
