import Testing
import X3Core
import X3TestSupport
import X3Windows

/// The extended XYZ writer: frame layout and numbers (ASE reading it is tested in
/// Tests/cli/test_cli_windows.py).
struct WindowsXYZTests {
    @Test func framesHoldEveryWindowWithPositionsToEightDecimals() throws {
        let s = try Structure(name: "toy cell", lattice: Lattice(a: 5.3, b: 6.1, c: 4.4, alpha: 80, beta: 95, gamma: 105),
                              atomicNumbers: [8, 14, 1],
                              fractionalPositions: [Vec3(0.1, 0.2, 0.3), Vec3(0.7, 0.6, 0.1), Vec3(-0.4, 0.9, 0.8)])
        let w = try WindowSampler.sample(s, radius: 3.5, step: 2.2)
        let text = String(decoding: WindowsXYZ.text(w, structureName: s.name), as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.last == "")
        lines.removeLast()
        var i = 0
        for win in 0..<w.count {
            #expect(Int(lines[i]) == w.atomCount(win))
            let header = lines[i + 1]
            let (k1, k2, k3) = w.grid!.point(win)
            #expect(header.hasPrefix("window=\(win) grid_index=\"\(k1) \(k2) \(k3)\""))
            #expect(header.contains("structure=toy_cell"))
            #expect(header.contains("Properties=species:S:1:pos:R:3:source:I:1:image:I:3"))
            for (row, e) in w.atomRange(win).enumerated() {
                let cols = lines[i + 2 + row].split(separator: " ").map(String.init)
                #expect(cols.count == 8)
                #expect(cols[0] == Elements.all[Int(w.atomicNumbers[e]) - 1].symbol)
                for d in 0..<3 {
                    let v = Double(cols[1 + d])!
                    #expect(abs(v - w.positions[3 * e + d]) <= 0.51e-8)
                    #expect(cols[1 + d].split(separator: ".")[1].count == 8)
                    #expect(cols[1 + d] != "-0.00000000")
                }
                #expect(Int32(cols[4]) == w.sourceAtoms[e])
                #expect(cols[5...].map { Int32($0)! } == (0..<3).map { w.images[3 * e + $0] })
            }
            i += 2 + w.atomCount(win)
        }
        #expect(i == lines.count)
    }
}
