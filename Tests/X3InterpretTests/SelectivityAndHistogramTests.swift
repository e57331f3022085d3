import Testing
import X3Core
import X3Interpret
import X3TestSupport

/// Selectivity maps are the element-wise ratio where the guard allows it; histograms
/// count and class windows as documented.
struct SelectivityAndHistogramTests {
    let lattice = try! Lattice(a: 8, b: 9, c: 10, alpha: 90, beta: 90, gamma: 90)

    @Test func selectivityIsTheElementwiseRatioWhereTheDenominatorClearsTheGuard() throws {
        var rng = SplitMix(state: 5)
        let n = 3 * 4 * 5
        let a = (0..<n).map { _ in rng.nextUnit() * 10 - 2 }
        var b = (0..<n).map { _ in rng.nextUnit() * 2 + 0.5 }
        b[7] = 0; b[8] = 1e-5; b[9] = -1e-4; b[10] = -3   // zero, tiny, tiny negative, large negative
        let ma = try ContributionMap(lattice: lattice, shape: (3, 4, 5), values: a, name: "co2")
        let mb = try ContributionMap(lattice: lattice, shape: (3, 4, 5), values: b, name: "ch4")
        let s = try SelectivityMap(numerator: ma, denominator: mb)
        let maxAbs = b.map(abs).max()!
        #expect(s.threshold == 1e-3 * maxAbs && s.map.name == "co2/ch4")
        for i in 0..<n {
            if abs(b[i]) > 1e-3 * maxAbs {
                #expect(s.defined[i] && s.map.values[i] == a[i] / b[i])
            } else {
                #expect(!s.defined[i] && s.map.values[i] == 0)
            }
        }
        #expect(s.undefinedCount == 3 && !s.defined[7] && !s.defined[8] && !s.defined[9] && s.defined[10])
        // an absolute guard, and a fill value
        let t = try SelectivityMap(numerator: ma, denominator: mb, absoluteGuard: 0.6, fill: -1)
        #expect(t.threshold == 0.6)
        for i in 0..<n { #expect(t.defined[i] == (abs(b[i]) > 0.6) && (t.defined[i] || t.map.values[i] == -1)) }
        let other = try ContributionMap(lattice: lattice, shape: (5, 4, 3), values: b, name: "x")
        #expect(throws: X3Error.self) { try SelectivityMap(numerator: ma, denominator: other) }
        #expect(throws: X3Error.self) { try SelectivityMap(numerator: ma, denominator: mb, relativeGuard: -1) }
    }

    @Test func structureHistogramCountsAndClassesByThirdsOfTheRange() throws {
        // values 0 … 9: range [0, 9], 3 bins of width 3 → [0,3) [3,6) [6,9]; thirds the same
        let v = (0..<10).map(Double.init)
        let h = try StructureHistogram(v, target: "y", bins: 3)
        #expect(h.bins.map(\.count) == [3, 3, 4])
        #expect(h.bins.map(\.contributionClass) == [.weak, .medium, .strong])
        #expect(h.strong == 4 && h.medium == 3 && h.weak == 3 && h.windowCount == 10)
        let low = try StructureHistogram(v, target: "gap", bins: 3, strongEnd: .low)
        #expect(low.bins.map(\.contributionClass) == [.strong, .medium, .weak] && low.strong == 3 && low.weak == 4)
        // the CSV has a header and a row per bin whose fractions sum to 1
        let rows = h.csv.split(separator: "\n")
        #expect(rows[0] == "bin_low,bin_high,windows,fraction,class" && rows.count == 4)
        #expect(abs(rows.dropFirst().map { Double($0.split(separator: ",")[3])! }.reduce(0, +) - 1) < 1e-12)
        // all equal: one bin of zero width, every window medium
        let flat = try StructureHistogram([2, 2, 2], target: "y", bins: 5)
        #expect(flat.bins.count == 1 && flat.bins[0].count == 3 && flat.medium == 3)
        #expect(throws: X3Error.self) { try StructureHistogram([], target: "y") }
        #expect(throws: X3Error.self) { try StructureHistogram([1, .nan], target: "y") }
    }

    @Test func datasetHistogramPutsEveryWindowInItsPropertyColumn() throws {
        // structure A (property 1) has windows 0, 1, 2; B (property 3) has 2, 4
        let h = try DatasetHistogram(target: "y", properties: [1, 3], contributions: [[0, 1, 2], [2, 4]],
                                     propertyBins: 2, contributionBins: 4)
        #expect(h.propertyEdges == [1, 2, 3] && h.contributionEdges == [0, 1, 2, 3, 4])
        // column A: 0 → bin 0, 1 → bin 1, 2 → bin 2; column B: 2 → bin 2, 4 → bin 3 (last bin closed)
        #expect(h.counts == [1, 1, 1, 0, 0, 0, 1, 1] && h.outside == 0)
        // a fixed range leaves values outside it unbinned, and says how many
        let clipped = try DatasetHistogram(target: "y", properties: [1, 3], contributions: [[0, 1, 2], [2, 4]],
                                           propertyBins: 1, contributionBins: 2, contributionRange: (0.5, 2.5))
        #expect(clipped.counts == [1, 2] && clipped.outside == 2)
        let csv = h.csv.split(separator: "\n")
        #expect(csv.count == 1 + 8 && csv[0] == "property_low,property_high,contribution_low,contribution_high,windows,fraction")
        #expect(csv[1].hasSuffix(",1,0.3333333333333333") && csv[8].hasSuffix(",1,0.5"))
        #expect(throws: X3Error.self) { try DatasetHistogram(target: "y", properties: [1], contributions: [[0], [1]]) }
    }
}
