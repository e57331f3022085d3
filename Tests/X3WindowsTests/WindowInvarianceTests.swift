import Testing
import X3Core
import X3TestSupport
import X3Windows

/// Symmetry facts about windows: relabelling atoms, building a supercell, rotating,
/// translating or inverting the crystal changes the windows only in the predictable way.
/// Atom images are compared exactly as integer keys (source atom, image offset).
struct WindowInvarianceTests {
    /// A structure with awkward contents: a triclinic cell, several elements, one atom
    /// outside [0, 1) (the stored position is kept as given).
    static func triclinic() throws -> Structure {
        var rng = SplitMix(state: 42)
        var zs: [Int] = [], fs: [Vec3] = []
        for i in 0..<17 {
            zs.append([6, 8, 14, 30, 1][i % 5])
            fs.append(Vec3(Double.random(in: 0..<1, using: &rng), Double.random(in: 0..<1, using: &rng),
                           Double.random(in: 0..<1, using: &rng)))
        }
        fs[3] += Vec3(1, -2, 0)
        return try Structure(name: "tri", lattice: Lattice(a: 7.3, b: 8.1, c: 6.6, alpha: 72, beta: 101, gamma: 118),
                             atomicNumbers: zs, fractionalPositions: fs)
    }

    /// IZA LTA when the data is present, else the triclinic toy (so the test always runs).
    static func realOrToy() throws -> Structure {
        if let d = sharedData { return try CIFReader.read(path: d + "/iza/cif/LTA.cif") }
        return try triclinic()
    }

    typealias Key = [Int]  // source, n1, n2, n3
    static func keys(_ w: Windows, _ win: Int) -> [Key] {
        w.atomRange(win).map { e in [Int(w.sourceAtoms[e])] + (0..<3).map { Int(w.images[3 * e + $0]) } }
    }
    static func sortedKeys(_ k: [Key]) -> [Key] { k.sorted { $0.lexicographicallyPrecedes($1) } }

    /// Permuting the atoms permutes the sources in every window and changes nothing else;
    /// in particular the multiset of window atom counts is unchanged.
    @Test(arguments: [0, 1]) func permutingAtomsRelabelsSourcesOnly(which: Int) throws {
        let s = which == 0 ? try Self.triclinic() : try Self.realOrToy()
        var rng = SplitMix(state: 9)
        let p = Array(0..<s.count).shuffled(using: &rng)  // new atom i is old atom p[i]
        let t = try Structure(name: "perm", lattice: s.lattice, atomicNumbers: p.map { s.atomicNumbers[$0] },
                              fractionalPositions: p.map { s.fractionalPositions[$0] })
        let a = try WindowSampler.sample(s, radius: 6, step: 2), b = try WindowSampler.sample(t, radius: 6, step: 2)
        #expect(a.count == b.count)
        #expect((0..<a.count).map(a.atomCount).sorted() == (0..<b.count).map(b.atomCount).sorted())
        for w in 0..<a.count {
            let mapped = Self.keys(b, w).map { [p[$0[0]]] + $0[1...] }
            #expect(Self.sortedKeys(mapped) == Self.keys(a, w), "window \(w)")
        }
    }

    /// A 2×1×1 supercell (atoms of the cell copy t = 0, 1 are j + t·N, at ((f₁ + t)/2, f₂, f₃)):
    /// when n₁' = 2n₁ (LTA: 11.919/2 → 6 points, 23.838/2 → 12), supercell window
    /// (k₁, k₂, k₃) is the cell's window (k₁ mod n₁, k₂, k₃), atom image (j + tN, n')
    /// being (j, (t + 2n₁' − ⌊k₁/n₁⌋, n₂', n₃')) (the last term: the supercell centre lies
    /// one cell further along a than the cell's centre when k₁ ≥ n₁). When n₁' ≠ 2n₁ (step 2.3 Å: 6 vs 11 points) the
    /// supercell's centres are not the cell's, and each supercell window equals the cell's
    /// window at the same Cartesian centre.
    @Test(arguments: [0, 1]) func supercellReproducesTheCellsWindows(which: Int) throws {
        let s = which == 0 ? try Self.realOrToy() : try Self.triclinic()
        let n = s.count
        let (a, b, c) = s.lattice.vectors
        var zs = s.atomicNumbers, fs = s.fractionalPositions.map { Vec3($0.x / 2, $0.y, $0.z) }
        zs += s.atomicNumbers
        fs += s.fractionalPositions.map { Vec3(($0.x + 1) / 2, $0.y, $0.z) }
        let sup = try Structure(name: "2x1x1", lattice: Lattice(a: 2 * a, b: b, c: c), atomicNumbers: zs, fractionalPositions: fs)
        // Supercell atom image → cell atom image; `cellShift` is how many cells a supercell
        // centre lies beyond the cell window it is compared with.
        func toCell(_ k: Key, cellShift: Int = 0) -> Key {
            let t = k[0] >= n ? 1 : 0
            return [k[0] - t * n, t + 2 * k[1] - cellShift, k[2], k[3]]
        }
        for step in [2.0, 2.3] {
            let cw = try WindowSampler.sample(s, radius: 6, step: step)
            let sw = try WindowSampler.sample(sup, radius: 6, step: step)
            let (n1, n2, n3) = cw.grid!.shape
            let (m1, m2, m3) = sw.grid!.shape
            #expect(m2 == n2 && m3 == n3)
            if m1 == 2 * n1 {
                for w in 0..<sw.count {
                    let (k1, k2, k3) = sw.grid!.point(w)
                    let cellWindow = cw.grid!.index(k1 % n1, k2, k3)
                    let mapped = Self.keys(sw, w).map { toCell($0, cellShift: k1 / n1) }
                    #expect(Self.sortedKeys(mapped) == Self.keys(cw, cellWindow), "window \(w)")
                }
            } else {
                let at = try WindowSampler.sample(s, radius: 6, centres: sw.cartesianCentres, coordinates: .cartesian)
                for w in 0..<sw.count {
                    #expect(Self.sortedKeys(Self.keys(sw, w).map { toCell($0) }) == Self.keys(at, w), "window \(w)")
                }
            }
            if which == 0 { #expect((step == 2.0) == (m1 == 2 * n1)) }
        }
    }

    /// Rotating the crystal (cell vectors rotated, fractional positions kept) rotates every
    /// window's relative positions and keeps its atom images.
    @Test func rotationRotatesPositionsAndKeepsImages() throws {
        let s = try Self.triclinic()
        // Rotation from a unit quaternion.
        let q = SIMD4<Double>(0.3, -0.5, 0.7, 0.2) / norm4(SIMD4(0.3, -0.5, 0.7, 0.2))
        let (w, x, y, z) = (q[0], q[1], q[2], q[3])
        let r0 = Vec3(1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w))
        let r1 = Vec3(2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w))
        let r2 = Vec3(2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y))
        func rot(_ v: Vec3) -> Vec3 { Vec3(dot(r0, v), dot(r1, v), dot(r2, v)) }
        let (a, b, c) = s.lattice.vectors
        let t = try Structure(name: "rot", lattice: Lattice(a: rot(a), b: rot(b), c: rot(c)),
                              atomicNumbers: s.atomicNumbers, fractionalPositions: s.fractionalPositions)
        let ws = try WindowSampler.sample(s, radius: 5.5, step: 1.9), wt = try WindowSampler.sample(t, radius: 5.5, step: 1.9)
        #expect(ws.offsets == wt.offsets && ws.sourceAtoms == wt.sourceAtoms && ws.images == wt.images)
        for e in 0..<ws.totalAtoms { #expect(norm(rot(ws.position(e)) - wt.position(e)) < 1e-12) }
    }

    /// Translating every atom by a vector and the centres with it leaves the windows equal;
    /// inverting atoms and centres through the origin maps image n to −n and negates positions.
    @Test func translationAndInversion() throws {
        let s = try Self.triclinic()
        let grid = try WindowSampler.sample(s, radius: 6, step: 2)
        let shift = Vec3(0.37, -1.21, 2.05)
        let moved = try Structure(name: "moved", lattice: s.lattice, atomicNumbers: s.atomicNumbers,
                                  fractionalPositions: s.fractionalPositions.map { $0 + shift })
        let wm = try WindowSampler.sample(moved, radius: 6, centres: grid.fractionalCentres.map { $0 + shift },
                                          coordinates: .fractional)
        #expect(wm.offsets == grid.offsets && wm.sourceAtoms == grid.sourceAtoms && wm.images == grid.images)
        for e in 0..<grid.totalAtoms { #expect(norm(wm.position(e) - grid.position(e)) < 1e-12) }

        let inverted = try Structure(name: "inv", lattice: s.lattice, atomicNumbers: s.atomicNumbers,
                                     fractionalPositions: s.fractionalPositions.map { -$0 })
        let wi = try WindowSampler.sample(inverted, radius: 6, centres: grid.fractionalCentres.map { -$0 },
                                          coordinates: .fractional)
        #expect(wi.offsets == grid.offsets)
        for w in 0..<grid.count {
            let flipped = Self.keys(wi, w).map { [$0[0], -$0[1], -$0[2], -$0[3]] }
            #expect(Self.sortedKeys(flipped) == Self.keys(grid, w))
        }
    }

    func norm4(_ v: SIMD4<Double>) -> Double { (v * v).sum().squareRoot() }
}
