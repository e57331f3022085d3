import Testing
import Foundation
import X3Core

/// Rock salt written the IZA way: F-centring and a mirror as operators, two sites on
/// special positions. NaCl, Fm-3m, a = 5.6402 Å (Walker et al., Am. Mineral. 89 (2004) 204):
/// 4 Na + 4 Cl per cell, density 2.165 g/cm³ from 4·58.44 g/mol / (N_A·a³).
let rockSaltCIF = """
data_NaCl
_cell_length_a 5.6402(3)
_cell_length_b 5.6402(3)
_cell_length_c 5.6402(3)
_cell_angle_alpha 90
_cell_angle_beta 90
_cell_angle_gamma 90
_symmetry_space_group_name_H-M 'F m -3 m'
loop_
_symmetry_equiv_pos_as_xyz
'x,y,z'
'x,1/2+y,1/2+z'
'1/2+x,y,1/2+z'
'1/2+x,1/2+y,z'
'-x,-y,-z'
loop_
_atom_site_label
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
Na1 0 0 0
Cl1 0.5 0.5 0.5
"""

@Suite struct CIFReaderTests {
    @Test func symmetryExpansionMergesSpecialPositions() throws {
        let s = try CIFReader.read(text: rockSaltCIF)
        #expect(s.count == 8)
        #expect(s.formula == "Cl4Na4")
        #expect(s.composition == [11: 4, 17: 4])
        expectClose(s.density, 4 * (22.98977 + 35.45) / (6.02214076e23 * 1e-24 * 179.4249), tol: 1e-3, "density")
        #expect(s.warnings.isEmpty)
    }

    @Test func symmetryOperationsParseCommonSpellings() throws {
        let f = Vec3(0.1, 0.2, 0.3)
        let cases: [(String, Vec3)] = [
            ("x,y,z", f), ("-x,-y,-z", -f), ("1/2+x,1/2+y,1/2+z", f + 0.5),
            ("-X+Y,-X,Z+1/3", Vec3(0.1, -0.1, 0.3 + 1.0 / 3)), ("x-y, x, -z+0.25", Vec3(-0.1, 0.1, -0.05)),
            ("+x, 1/2-y, +z", Vec3(0.1, 0.3, 0.3)), ("-y, x-y, z", Vec3(-0.2, -0.1, 0.3)),
        ]
        for (text, expected) in cases {
            let op = try SymmetryOperation(parsing: text)
            #expect(norm(op.apply(f) - expected) < 1e-12, "\(text)")
        }
        for bad in ["x,y", "x,y,q", "x,,z", "x,x,z", "1/0+x,y,z", "2*x,y,z"] {
            #expect(throws: X3Error.self, "\(bad)") { try SymmetryOperation(parsing: bad) }
        }
    }

    @Test func quotesTextFieldsCommentsAndUncertainties() throws {
        let text = """
        data_one
        # a comment
        _journal_name 'Acta O'Brien'   # apostrophe inside a quoted value
        _title
        ;
        a multi-line
        text field
        ;
        _cell_length_a 10.0(2) _cell_length_b 10 _cell_length_c 10
        _cell_angle_alpha 90.00(1) _cell_angle_beta 90 _cell_angle_gamma 90
        loop_
        _atom_site_label _atom_site_type_symbol _atom_site_fract_x _atom_site_fract_y _atom_site_fract_z
        'Zn 1' Zn2+ 0.1234(5) 0.5 0.5
        O1 "O" -.25 1.0 0.0
        """
        let doc = try CIFDocument(text: text, source: "t")
        #expect(doc.blocks[0].items["_journal_name"]?.text == "Acta O'Brien")
        #expect(doc.blocks[0].items["_title"]?.text == "a multi-line\ntext field")
        let s = try CIFReader.read(text: text)
        #expect(s.atomicNumbers == [30, 8])
        #expect(s.labels == ["Zn 1", "O1"])
        #expect(norm(s.fractionalPositions[0] - Vec3(0.1234, 0.5, 0.5)) < 1e-12)
        #expect(norm(s.fractionalPositions[1] - Vec3(0.75, 0, 0)) < 1e-12, "wrapped into [0,1)")
    }

    @Test func blocksAreSelectableAndDefaultToFirst() throws {
        let two = rockSaltCIF + "\n" + rockSaltCIF.replacingFirst("data_NaCl", "data_Second")
            .replacingFirst("Cl1 0.5 0.5 0.5", "K1 0.5 0.5 0.5")
        #expect(try CIFReader.read(text: two).name == "NaCl")
        let s = try CIFReader.read(text: two, options: .init(block: "second"))
        #expect(s.name == "Second" && s.composition[19] == 4)
        #expect {
            try CIFReader.read(text: two, options: .init(block: "nope"))
        } throws: { e in
            (e as? X3Error)?.message.contains("'NaCl', 'Second'") == true
        }
    }

    @Test func cif2DottedTagsAndSpaceGroupSymopTag() throws {
        let text = """
        data_d
        _cell.length_a 4
        _cell.length_b 4
        _cell.length_c 4
        _cell.angle_alpha 90
        _cell.angle_beta 90
        _cell.angle_gamma 90
        loop_
        _space_group_symop.operation_xyz
        x,y,z
        -x,-y,-z
        loop_
        _atom_site.label
        _atom_site.fract_x
        _atom_site.fract_y
        _atom_site.fract_z
        Si1 0.25 0.25 0.25
        """
        let s = try CIFReader.read(text: text)
        #expect(s.count == 2)
    }

    @Test func boundaryDuplicatesInP1AreMergedWithAWarning() throws {
        let text = """
        data_p1
        _cell_length_a 5 _cell_length_b 5 _cell_length_c 5
        _cell_angle_alpha 90 _cell_angle_beta 90 _cell_angle_gamma 90
        loop_
        _atom_site_label _atom_site_fract_x _atom_site_fract_y _atom_site_fract_z
        Cu1 0 0 0
        Cu2 1.0 0 0.99999
        O1 0.5 0.5 0.5
        """
        let s = try CIFReader.read(text: text)
        #expect(s.count == 2)
        #expect(s.warnings.count == 1 && s.warnings[0].contains("Cu2") && s.warnings[0].contains("merged"))
    }

    @Test func partialOccupancyIsKeptAndReported() throws {
        let text = """
        data_occ
        _cell_length_a 5 _cell_length_b 5 _cell_length_c 5
        _cell_angle_alpha 90 _cell_angle_beta 90 _cell_angle_gamma 90
        loop_
        _atom_site_label _atom_site_type_symbol _atom_site_fract_x _atom_site_fract_y _atom_site_fract_z
        _atom_site_U_iso_or_equiv _atom_site_adp_type _atom_site_occupancy
        C1 C 0.1 0.1 0.1 0.01267 Uiso 1.00
        O1 O 0.3 0.3 0.3 0.01267 Uiso 0.50
        """
        let s = try CIFReader.read(text: text)
        #expect(s.count == 2 && s.occupancies == [1, 0.5] && s.hasPartialOccupancy)
        #expect(s.warnings.contains { $0.contains("<string>:8") && $0.contains("O1") && $0.contains("0.50") })
    }

    /// Each bad input gives the right status and a message naming the line and field.
    @Test(arguments: [
        ("missing cell", "data_x\n_cell_length_a 5\n_cell_length_b 5\n_cell_angle_alpha 90\n", X3Status.parse,
         "field '_cell_length_c': missing"),
        ("non-numeric coordinate", rockSaltCIF.replacingFirst("Cl1 0.5 0.5 0.5", "Cl1 0.5 abc 0.5"),
         .parse, "<string>:22: field '_atom_site_fract_y': 'abc' is not a number (site Cl1)"),
        ("unknown element", rockSaltCIF.replacingFirst("Cl1 0.5", "Xq1 0.5"), .unknownElement,
         "<string>:22: field '_atom_site_label': 'Xq1' is not an element symbol"),
        ("zero volume", rockSaltCIF.replacingFirst("_cell_angle_gamma 90", "_cell_angle_gamma 180"),
         .invalidCell, "gamma"),
        ("truncated loop", String(rockSaltCIF.dropLast(8)), .parse, "incomplete row"),
        ("unterminated text field", "data_x\n_title\n;\nnever closed\n", .parse, "<string>:3: text field"),
        ("unterminated quote", "data_x\n_title 'open\n", .parse, "<string>:2: quoted value"),
        ("no atoms", "data_x\n_cell_length_a 5\n_cell_length_b 5\n_cell_length_c 5\n_cell_angle_alpha 90\n"
            + "_cell_angle_beta 90\n_cell_angle_gamma 90\n", .parse, "no atom positions"),
        ("space group without operators", "data_x\n_cell_length_a 5\n_cell_length_b 5\n_cell_length_c 5\n"
            + "_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n"
            + "_symmetry_space_group_name_H-M 'F m -3 m'\n", .unsupported,
         "generating them"),
        ("empty text", "", .parse, "no data_ block"),
        ("field without value", "data_x\n_cell_length_a\n_cell_length_b 5\n", .parse,
         "field '_cell_length_a': the field has no value"),
        ("bad operator", rockSaltCIF.replacingFirst("'-x,-y,-z'", "'-x,-y'"), .parse,
         "field '_symmetry_equiv_pos_as_xyz'"),
    ])
    func badInputNamesLineAndField(name: String, text: String, status: X3Status, fragment: String) {
        do {
            _ = try CIFReader.read(text: text)
            Issue.record("\(name): expected an error")
        } catch let e as X3Error {
            #expect(e.status == status, "\(name): \(e.message)")
            #expect(e.message.contains(fragment), "\(name): '\(e.message)' lacks '\(fragment)'")
        } catch { Issue.record("\(name): \(error)") }
    }

    @Test func missingFileIsAnIOError() {
        #expect {
            try CIFReader.read(path: "/nonexistent/x.cif")
        } throws: { e in
            (e as? X3Error)?.status == .io && (e as? X3Error)?.message.contains("/nonexistent/x.cif") == true
        }
    }

    @Test func writerRoundTripsAStructure() throws {
        let s = try CIFReader.read(text: rockSaltCIF)
        let back = try CIFReader.read(text: CIFWriter.text(s))
        #expect(back.count == s.count && back.atomicNumbers == s.atomicNumbers)
        for (p, q) in zip(s.cartesianPositions, back.cartesianPositions) { #expect(norm(p - q) < 1e-6) }
        let (a, b) = (s.lattice.parameters, back.lattice.parameters)
        #expect(abs(a.a - b.a) < 1e-7 && abs(a.gamma - b.gamma) < 1e-6)
    }

    @Test func formulaUsesHillOrder() throws {
        let l = try Lattice(a: 10, b: 10, c: 10, alpha: 90, beta: 90, gamma: 90)
        let zs = [8, 6, 1, 1, 30, 6, 7]
        let s = try Structure(name: "", lattice: l, atomicNumbers: zs,
                              fractionalPositions: zs.indices.map { Vec3(Double($0) / 10, 0, 0) })
        #expect(s.formula == "C2H2NOZn")
        let t = try Structure(name: "", lattice: l, atomicNumbers: [14, 8, 8, 1],
                              fractionalPositions: (0..<4).map { Vec3(Double($0) / 10, 0, 0) })
        #expect(t.formula == "HO2Si")
    }
}

extension String {
    func replacingFirst(_ target: String, _ replacement: String) -> String {
        guard let r = range(of: target) else { return self }
        return replacingCharacters(in: r, with: replacement)
    }
}
