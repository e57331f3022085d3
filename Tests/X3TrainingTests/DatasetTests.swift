import Testing
import X3Core
import X3TestSupport
import X3Training
#if canImport(Glibc)
import Glibc
#endif

/// Labelled datasets: the real layouts of ../shared/data load; bad label files give errors
/// naming the file, line and column; structures that cannot be used are reported.
struct DatasetTests {
    @Test func csvParsingHandlesQuotesBlankLinesAndCRLF() throws {
        let t = try LabelTable.parse("id,\"a, quoted\",y\r\n\"x\"\"1\",1,2.5\r\n\r\nb,3,-4e1\r\n", source: "t.csv", targets: ["y"])
        #expect(t.ids == ["x\"1", "b"] && t.values == [2.5, -40])
        let multi = try LabelTable.parse("id,a,b\nq,1,2\n", source: "t.csv", targets: ["b", "a"])
        #expect(multi.values == [2, 1])
        // an empty label field leaves the row out, with its line and column
        let gap = try LabelTable.parse("id,a,b\nq,1,2\nr,,3\ns,4,5\n", source: "t.csv", targets: ["a", "b"])
        #expect(gap.ids == ["q", "s"] && gap.values == [1, 2, 4, 5])
        #expect(gap.unlabelled.map(\.id) == ["r"] && gap.unlabelled[0].reason == "t.csv:3: no value in column 'a'")
    }

    @Test func badLabelFilesNameFileLineAndColumn() {
        expectX3Error(.invalidArgument, mentioning: ["t.csv:1:", "field 'co3'", "no such target column", "id, co2"]) {
            _ = try LabelTable.parse("id,co2\na,1\n", source: "t.csv", targets: ["co3"])
        }
        expectX3Error(.parse, mentioning: ["t.csv:3:", "field 'co2'", "'1.2.3' is not a number", "'b'"]) {
            _ = try LabelTable.parse("id,co2\na,1\nb,1.2.3\n", source: "t.csv", targets: ["co2"])
        }
        expectX3Error(.parse, mentioning: ["no row has a value"]) { _ = try LabelTable.parse("id,co2\na,\n", source: "t.csv", targets: ["co2"]) }
        expectX3Error(.parse, mentioning: ["t.csv:2:", "'nan'"]) { _ = try LabelTable.parse("id,co2\na,nan\n", source: "t.csv", targets: ["co2"]) }
        expectX3Error(.parse, mentioning: ["t.csv:3:", "duplicate id 'a' (first on line 2)"]) {
            _ = try LabelTable.parse("id,co2\na,1\na,2\n", source: "t.csv", targets: ["co2"])
        }
        expectX3Error(.parse, mentioning: ["t.csv:2:", "empty id"]) { _ = try LabelTable.parse("id,co2\n,1\n", source: "t.csv", targets: ["co2"]) }
        expectX3Error(.parse, mentioning: ["t.csv:2:", "3 fields"]) { _ = try LabelTable.parse("id,co2\na,1,2\n", source: "t.csv", targets: ["co2"]) }
        expectX3Error(.parse, mentioning: ["empty"]) { _ = try LabelTable.parse("", source: "t.csv", targets: ["co2"]) }
        expectX3Error(.parse, mentioning: ["no data rows"]) { _ = try LabelTable.parse("id,co2\n", source: "t.csv", targets: ["co2"]) }
        expectX3Error(.parse, mentioning: ["not closed"]) { _ = try LabelTable.parse("id,co2\n\"a,1\n", source: "t.csv", targets: ["co2"]) }
    }

    /// A scratch dataset: two good CIFs from IZA, one broken CIF, one label without a CIF.
    @Test(.enabled(if: sharedData != nil)) func unusableStructuresAreReportedAndSkipped() throws {
        let dir = makeScratchDirectory("x3mat-dataset")
        try FileIO.makeDirectory(dir + "/cif")
        for n in ["LTA", "SOD"] {
            try FileIO.writeAtomically(path: "\(dir)/cif/\(n).cif", bytes: try FileIO.readBytes(path: sharedData! + "/iza/cif/\(n).cif"))
        }
        try FileIO.writeAtomically(path: "\(dir)/cif/BAD.cif", text: "data_bad\n_cell_length_a 5\n")
        try FileIO.writeAtomically(path: "\(dir)/labels.csv", text: "framework,uptake\nLTA,1.5\nBAD,2\nGONE,3\nSOD,4\n")
        let d = try LabelledDataset.load(directory: dir, targets: ["uptake"])
        #expect(d.ids == ["LTA", "SOD"] && d.label(1, 0) == 4)
        #expect(d.skipped.map(\.id) == ["BAD", "GONE"])
        #expect(d.skipped[0].reason.contains("BAD.cif") && d.skipped[1].reason.contains("no file"))
        // an empty folder and a folder of unusable structures are errors
        try FileIO.makeDirectory(dir + "/empty")
        expectX3Error(.io, mentioning: ["no .cif files"]) { _ = try LabelledDataset.load(directory: dir + "/empty", targets: ["uptake"]) }
        try FileIO.writeAtomically(path: "\(dir)/labels2.csv", text: "framework,uptake\nBAD,2\n")
        expectX3Error(.invalidArgument, mentioning: ["none of the 1"]) {
            _ = try LabelledDataset.load(directory: dir, labels: "\(dir)/labels2.csv", targets: ["uptake"])
        }
    }

    @Test(.enabled(if: sharedData != nil)) func realDatasetsLoad() throws {
        let iza = try LabelledDataset.load(directory: sharedData! + "/iza", targets: ["ar_uptake_mol_kg"])
        #expect(iza.structures.count == 190 && iza.skipped.isEmpty)
        let qmof = try LabelledDataset.load(directory: sharedData! + "/qmof", targets: ["band_gap_eV"], limit: 50)
        #expect(qmof.structures.count == 50)
        let core = try LabelledDataset.load(directory: sharedData! + "/coremof",
                                            targets: ["co2_uptake_298K_0.15bar_mol_kg", "ch4_uptake_298K_65bar_mol_kg"], limit: 20)
        #expect(core.structures.count == 20 && core.labels.targets.count == 2)
    }
}
