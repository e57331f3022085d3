import Testing
import X3Core

@Suite struct ElementsTests {
    /// Covalent radii from Cordero et al., Dalton Trans. 2008, 2832, Table 2 (Å), read
    /// off the paper: H 0.31, C(sp3) 0.76, N 0.71, O 0.66, Si 1.11, Cu 1.32, Zn 1.22, Zr 1.75.
    @Test(arguments: [("H", 0.31), ("C", 0.76), ("N", 0.71), ("O", 0.66), ("Si", 1.11),
                      ("Cu", 1.32), ("Zn", 1.22), ("Zr", 1.75)])
    func covalentRadiiMatchCordero2008(symbol: String, radius: Double) throws {
        let z = try #require(Elements.atomicNumber(exactSymbol: symbol))
        #expect(Elements.element(z: z)?.covalentRadius == radius)
    }

    /// IUPAC 2016 conventional atomic weights: H 1.008, C 12.011, O 15.999, Si 28.085, Zn 65.38.
    @Test(arguments: [(1, 1.008), (6, 12.011), (8, 15.999), (14, 28.085), (30, 65.38)])
    func massesMatchIUPAC(z: Int, mass: Double) {
        #expect(Elements.element(z: z)?.mass == mass)
    }

    @Test func tableIsConsecutiveAndSymbolsRoundTrip() {
        #expect(Elements.all.count == Elements.maxZ)
        for e in Elements.all {
            #expect(Elements.atomicNumber(exactSymbol: e.symbol) == e.z)
            #expect(Elements.atomicNumber(symbol: e.symbol.uppercased()) == e.z)
        }
        #expect(Elements.element(z: 0) == nil && Elements.element(z: 97) == nil)
    }

    @Test(arguments: [("Si12", 14), ("O1", 8), ("Zn1a", 30), ("Cu", 29), ("Ca1", 20), ("CA1", 6),
                      ("C1a", 6), ("H1A", 1), ("Co3", 27), ("N", 7), ("D1", 1), ("Cl2-", 17), ("Si4+", 14)])
    func labelsGiveElements(label: String, z: Int) {
        #expect(Elements.atomicNumber(label: Substring(label)) == z)
    }

    @Test(arguments: ["T1", "Xx", "Q", "12", ""])
    func nonElementLabelsGiveNil(label: String) {
        #expect(Elements.atomicNumber(label: Substring(label)) == nil)
    }
}
