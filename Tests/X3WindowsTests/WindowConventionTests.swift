import Testing
import X3Core
import X3TestSupport
import X3Windows

/// The fixed conventions of window sampling (grid shape, offset, order, inclusive radius),
/// each checked against a hand derivation.
struct WindowConventionTests {
    static func cubic(_ a: Double, atoms: [(Int, Vec3)]) throws -> Structure {
        try Structure(name: "cubic", lattice: Lattice(a: a, b: a, c: a, alpha: 90, beta: 90, gamma: 90),
                      atomicNumbers: atoms.map(\.0), fractionalPositions: atoms.map(\.1))
    }

    /// nᵢ = max(1, ⌈|aᵢ|/s⌉): LTA's a = 11.919 Å with s = 2 Å gives 6 points per axis
    /// (11.919/2 = 5.96); s = 20 Å gives 1; a length that is an exact multiple of the
    /// step (12 Å / 2 Å) gives 6, not 7.
    @Test func gridShapeIsTheCeilingOfLengthOverStep() throws {
        let lta = try Lattice(a: 11.919, b: 11.919, c: 11.919, alpha: 90, beta: 90, gamma: 90)
        let g = try WindowGrid(lattice: lta, step: 2, maxWindows: 1_000_000)
        #expect(g.shape == (6, 6, 6) && g.count == 216)
        #expect(try WindowGrid(lattice: lta, step: 20, maxWindows: 10).count == 1)
        let twelve = try Lattice(a: 12, b: 7, c: 3.9999999999999996, alpha: 90, beta: 90, gamma: 90)
        #expect(try WindowGrid(lattice: twelve, step: 2, maxWindows: 1000).shape == (6, 4, 2))
    }

    /// Window index = (k₁·n₂ + k₂)·n₃ + k₃ and the centre is (k₁/n₁, k₂/n₂, k₃/n₃).
    @Test func windowsAreInCOrderWithOffsetZero() throws {
        let s = try Structure(name: "t", lattice: Lattice(a: 6, b: 4, c: 2, alpha: 90, beta: 90, gamma: 90),
                              atomicNumbers: [6], fractionalPositions: [Vec3(0.1, 0.2, 0.3)])
        let w = try WindowSampler.sample(s, radius: 1.5, step: 2)
        #expect(w.grid!.shape == (3, 2, 1))
        #expect(w.count == 6)
        let expected: [Vec3] = [
            Vec3(0, 0, 0), Vec3(0, 0.5, 0), Vec3(1.0 / 3, 0, 0), Vec3(1.0 / 3, 0.5, 0),
            Vec3(2.0 / 3, 0, 0), Vec3(2.0 / 3, 0.5, 0),
        ]
        #expect(w.fractionalCentres == expected)
        for i in 0..<w.count { #expect(w.grid!.point(i) == (i / 2, i % 2, 0)) }
    }

    /// The radius is inclusive: in a simple cubic crystal with a = 4 Å and one atom at the
    /// origin, the window of R = 4 Å at the origin holds the atom and its six neighbours
    /// at exactly 4 Å (distances exact in binary), and R just below 4 Å holds only the atom.
    @Test func radiusIsInclusive() throws {
        let s = try Self.cubic(4, atoms: [(14, .zero)])
        let w = try WindowSampler.sample(s, radius: 4, centres: [.zero], coordinates: .cartesian)
        #expect(w.atomCount(0) == 7)
        let below = try WindowSampler.sample(s, radius: 4.0.nextDown, centres: [.zero], coordinates: .cartesian)
        #expect(below.atomCount(0) == 1)
    }

    /// Atoms within a window are sorted by source index, then image n₁, n₂, n₃; the image
    /// and relative position agree: position = (f + n)·cell − centre.
    @Test func atomsAreOrderedBySourceThenImageAndPositionsMatchImages() throws {
        let s = try Structure(name: "t", lattice: Lattice(a: 3.1, b: 3.7, c: 4.2, alpha: 70, beta: 100, gamma: 115),
                              atomicNumbers: [8, 14, 1],
                              fractionalPositions: [Vec3(0.9, 0.1, 0.5), Vec3(-0.2, 1.3, 0.25), Vec3(0.5, 0.5, 0.999)])
        let w = try WindowSampler.sample(s, radius: 5, step: 1.5)
        for win in 0..<w.count {
            let r = w.atomRange(win)
            let keys = r.map { e in [Int(w.sourceAtoms[e])] + (0..<3).map { Int(w.images[3 * e + $0]) } }
            #expect(keys == keys.sorted { $0.lexicographicallyPrecedes($1) })
            #expect(Set(keys.map { $0.description }).count == keys.count, "an atom image appears twice")
            let centre = w.cartesianCentre(win)
            for e in r {
                let j = Int(w.sourceAtoms[e])
                let n = w.image(e)
                let f = s.fractionalPositions[j] + Vec3(Double(n.x), Double(n.y), Double(n.z))
                let expected = s.lattice.cartesian(f) - centre
                #expect(norm(expected - w.position(e)) < 1e-12)
                #expect(norm(w.position(e)) <= 5 + 1e-12)
                #expect(w.atomicNumbers[e] == Int32(s.atomicNumbers[j]))
            }
        }
    }

    /// Windows at caller-given centres equal the grid's windows when given the grid's
    /// centres, in fractional or Cartesian form; the grid's windows count n₁n₂n₃.
    @Test func givenCentresReproduceTheGrid() throws {
        let s = try Structure(name: "t", lattice: Lattice(a: 5.3, b: 6.1, c: 4.4, alpha: 80, beta: 95, gamma: 105),
                              atomicNumbers: [8, 14, 30, 1],
                              fractionalPositions: [Vec3(0.1, 0.2, 0.3), Vec3(0.7, 0.6, 0.1), Vec3(0.4, 0.9, 0.8),
                                                    Vec3(0.55, 0.05, 0.45)])
        let g = try WindowSampler.sample(s, radius: 4, step: 1.7)
        #expect(g.count == g.grid!.n1 * g.grid!.n2 * g.grid!.n3)
        for kind in [CoordinateKind.fractional, .cartesian] {
            let centres = kind == .fractional ? g.fractionalCentres : g.cartesianCentres
            let c = try WindowSampler.sample(s, radius: 4, centres: centres, coordinates: kind)
            #expect(c.grid == nil)
            #expect(c.offsets == g.offsets)
            #expect(c.sourceAtoms == g.sourceAtoms && c.images == g.images)
            let worst = zip(c.positions, g.positions).map { abs($0 - $1) }.max() ?? 0
            #expect(worst < 1e-12)
        }
    }

    /// The thread count changes nothing: 1 and 3 threads give identical windows.
    @Test func resultsDoNotDependOnThreadCount() throws {
        var rng = SplitMix(state: 7)
        var atoms: [(Int, Vec3)] = []
        for i in 0..<20 {
            let f = Vec3(Double.random(in: 0..<1, using: &rng), Double.random(in: 0..<1, using: &rng),
                         Double.random(in: 0..<1, using: &rng))
            atoms.append((6 + i % 3, f))
        }
        let s = try Self.cubic(9.7, atoms: atoms)
        let one = try WindowSampler.sample(s, radius: 6, step: 1.3, threads: 1)
        let three = try WindowSampler.sample(s, radius: 6, step: 1.3, threads: 3)
        #expect(one.offsets == three.offsets && one.sourceAtoms == three.sourceAtoms)
        #expect(one.images == three.images && one.positions == three.positions)
    }
}

