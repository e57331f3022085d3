import Testing
import Foundation
import X3Core

/// Inputs of every class that once crashed or hung the reader (NaN and huge numbers,
/// degenerate cells, bogus symmetry operators, files that expand without bound) end in an
/// `X3Error` naming the file, line and field, quickly. The classes are generated here from
/// a valid file; `../shared/fuzz-seeds` adds the original finds.
@Suite struct HostileCIFTests {
    /// A valid IZA-style file (MFI-like cell, two sites in general positions, a centring and a
    /// mirror: 6 atoms).
    static let base = """
    data_T
    _cell_length_a 20.0
    _cell_length_b 19.9
    _cell_length_c 13.4
    _cell_angle_alpha 90
    _cell_angle_beta 90
    _cell_angle_gamma 90
    loop_
    _symmetry_equiv_pos_as_xyz
    'x,y,z'
    '1/2+x,1/2+y,z'
    'x,y,-z'
    loop_
    _atom_site_label
    _atom_site_type_symbol
    _atom_site_fract_x
    _atom_site_fract_y
    _atom_site_fract_z
    Si1 Si 0.1 0.2 0.3
    O1 O 0.15 0.25 0.35
    """

    static func edited(_ target: String, _ replacement: String) -> String {
        precondition(base.contains(target))
        return base.replacingFirst(target, replacement)
    }

    /// Reads `text`, expecting an error of `status` mentioning `words`, within `seconds`.
    func expectRefused(_ text: String, _ status: X3Status, _ words: [String], seconds: Double = 1,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        let start = Date()
        expectX3Error(status, mentioning: words, sourceLocation: sourceLocation) { try CIFReader.read(text: text) }
        #expect(Date().timeIntervalSince(start) < seconds, "took \(Date().timeIntervalSince(start)) s",
                sourceLocation: sourceLocation)
    }

    @Test func baseFileReads() throws {
        #expect(try CIFReader.read(text: Self.base).count == 6)
    }

    @Test(arguments: [("nan", X3Status.parse), ("inf", .parse), ("-inf", .parse), ("1e400", .parse),
                      ("1e19", .invalidCell), ("1e-5", .invalidCell), ("0.3", .invalidCell), ("0", .invalidCell),
                      ("-10", .invalidCell)])
    func cellLengthsOutsideTheLimitsAreRefused(value: String, status: X3Status) {
        expectRefused(Self.edited("_cell_length_c 13.4", "_cell_length_c \(value)"), status,
                      ["<string>:", "_cell_"])
    }

    @Test(arguments: ["0.0001", "0.5", "179.9999", "180", "1e300", "nan"])
    func flatOrImpossibleAnglesAreRefused(value: String) {
        expectRefused(Self.edited("_cell_angle_alpha 90", "_cell_angle_alpha \(value)"),
                      value == "nan" ? .parse : .invalidCell, ["<string>:", "_cell"])
    }

    /// Needle and slab cells inside the limits read, and fast: the minimum-image search
    /// and the atom merger do bounded work whatever the shape.
    @Test(arguments: [("0.6", "9999"), ("9999", "0.6"), ("5000", "5000")])
    func extremeButValidCellsReadQuickly(ab: String, c: String) throws {
        let text = Self.edited("_cell_length_a 20.0\n_cell_length_b 19.9\n_cell_length_c 13.4",
                               "_cell_length_a \(ab)\n_cell_length_b \(ab)\n_cell_length_c \(c)")
        let start = Date()
        #expect(try CIFReader.read(text: text).count == 6)
        #expect(Date().timeIntervalSince(start) < 1)
    }

    @Test(arguments: [
        ("'x,y,z+1/0'", "cannot read"),                          // division by zero
        ("'x,y,z+" + String(repeating: "3", count: 400) + "/3'", "translation"),  // overflows to inf
        ("'x,y,z+1e308'", "cannot read"),                         // exponents are not CIF operator syntax
        ("'0.5x,y,z'", "coefficient"),                            // not a lattice rotation
        ("'3x,y,z'", "coefficient"),
        ("'x,x,z'", "isometry"),                                  // singular
        ("'x,y,z+2000'", "translation"),
    ])
    func bogusSymmetryOperatorsAreRefused(op: String, word: String) {
        expectRefused(Self.edited("'x,y,-z'", op), .parse, ["<string>:", "_symmetry_equiv_pos_as_xyz", word])
    }

    /// Thousands of distinct operator rows: refused by count, before any expansion.
    @Test func thousandsOfOperatorsAreRefused() {
        let ops = (0..<3000).map { "'x+\($0)/3001,y,z'" }.joined(separator: "\n")
        expectRefused(Self.edited("'x,y,-z'", ops), .unsupported, ["distinct symmetry operators", "at most 1024"])
    }

    /// Repeated operators (also shifted by whole cells) are dropped, so a file listing the
    /// same few operators many times reads as fast as the plain one, with the same atoms.
    @Test func repeatedOperatorsCostNothing() throws {
        let ops = (0..<2000).map { "'x+\($0 % 3),y,-z'" }.joined(separator: "\n")
        let s = try CIFReader.read(text: Self.edited("'x,y,-z'", ops))
        #expect(s.count == 6)
    }

    @Test(arguments: ["nan", "inf", "1e400", "1e7", "-1e300"])
    func nonFiniteOrHugeCoordinatesAreRefused(value: String) {
        expectRefused(Self.edited("O1 O 0.15 0.25 0.35", "O1 O 0.15 \(value) 0.35"), .parse,
                      ["<string>:", "_atom_site_fract_y", "O1"])
    }

    /// Rows that expand far beyond any physical density stop at the density cap (one atom
    /// per Å³), long before the work grows with the rows × operators product.
    @Test func overDenseExpansionStopsEarly() {
        var rows = ""
        var rng = SplitMix(state: 3)
        for i in 0..<20_000 {
            rows += "O\(i) O \(Double.random(in: 0..<1, using: &rng)) \(Double.random(in: 0..<1, using: &rng)) "
                + "\(Double.random(in: 0..<1, using: &rng))\n"
        }
        expectRefused(Self.base + "\n" + rows, .parse, ["per Å³", "overlap"], seconds: 2)
    }

    /// A file whose every row coincides with another keeps 100 warnings and counts the rest,
    /// instead of one message per atom.
    @Test func warningsAreCappedAndCounted() throws {
        let rows = (0..<300).map { "O\($0) O 0.15 0.25 0.35\n" }.joined()
        let s = try CIFReader.read(text: Self.base + "\n" + rows)
        #expect(s.count == 6)
        #expect(s.warnings.count == 101)
        // 300 pairs (each row with O1): 100 listed, the other 200 counted
        #expect(s.warnings.last?.hasSuffix("200 more coinciding or overlapping sites (not listed)") == true)
    }

    /// The atom cap applies after expansion, and can be raised.
    @Test func atomCapIsEnforcedAndAdjustable() throws {
        var options = CIFReadOptions()
        options.maxAtoms = 5
        expectX3Error(.outOfMemory, mentioning: ["more than 5 atoms", "raise the cap"]) {
            try CIFReader.read(text: Self.base, options: options)
        }
        options.maxAtoms = 6
        #expect(try CIFReader.read(text: Self.base, options: options).count == 6)
    }

    /// Every file of ../shared/fuzz-seeds ends in an error or a result, each well under a
    /// second (they once trapped, hung or took 10–20 s).
    @Test func fuzzSeedsEndQuickly() throws {
        guard let data = sharedData else { print("skipped: no ../shared/data"); return }
        let seeds = data + "/../fuzz-seeds"
        let files = listFiles(seeds, suffix: ".cif")
        guard !files.isEmpty else { print("skipped: no \(seeds)"); return }
        for f in files {
            let start = Date()
            do { _ = try CIFReader.read(path: seeds + "/" + f) } catch let e as X3Error {
                #expect(e.message.contains(f), "\(f): \(e.message)")
            }
            #expect(Date().timeIntervalSince(start) < 0.5, "\(f) took \(Date().timeIntervalSince(start)) s")
        }
    }
}
