import Testing
#if canImport(Glibc)
import Glibc
#endif
import X3Core

@Suite struct LatticeTests {
    /// Volume from the textbook formula V = abc·√(1 − cos²α − cos²β − cos²γ + 2 cosα cosβ cosγ),
    /// independent of how the matrix is built.
    @Test func volumeMatchesClosedFormForRandomCells() throws {
        var rng = SplitMix(state: 1)
        for _ in 0..<200 {
            let a = Double.random(in: 2...40, using: &rng), b = Double.random(in: 2...40, using: &rng)
            let c = Double.random(in: 2...40, using: &rng)
            let al = Double.random(in: 50...130, using: &rng), be = Double.random(in: 50...130, using: &rng)
            let ga = Double.random(in: 50...130, using: &rng)
            guard let l = try? Lattice(a: a, b: b, c: c, alpha: al, beta: be, gamma: ga) else { continue }
            let r = Double.pi / 180
            let ca = cos(al * r), cb = cos(be * r), cg = cos(ga * r)
            let v = a * b * c * (1 - ca * ca - cb * cb - cg * cg + 2 * ca * cb * cg).squareRoot()
            expectClose(l.volume, v, tol: 1e-9 * v, "volume")
            let p = l.parameters
            expectClose(p.a, a, tol: 1e-10); expectClose(p.b, b, tol: 1e-10); expectClose(p.c, c, tol: 1e-10)
            expectClose(p.alpha, al, tol: 1e-9); expectClose(p.beta, be, tol: 1e-9); expectClose(p.gamma, ga, tol: 1e-9)
            #expect(l.signedVolume > 0, "right-handed")
        }
    }

    @Test func orientationIsAAlongXAndBInXYPlane() throws {
        let l = try Lattice(a: 5, b: 6, c: 7, alpha: 80, beta: 95, gamma: 110)
        #expect(l.vectors.0.y == 0 && l.vectors.0.z == 0 && l.vectors.1.z == 0 && l.vectors.1.y > 0)
    }

    @Test func reciprocalVectorsAreDualBasis() throws {
        let l = try Lattice(a: Vec3(4, 0.3, -0.2), b: Vec3(1.5, 5, 0.1), c: Vec3(-0.7, 2, 6))
        let rows = [l.vectors.0, l.vectors.1, l.vectors.2]
        let rec = [l.reciprocal.0, l.reciprocal.1, l.reciprocal.2]
        for i in 0..<3 { for j in 0..<3 { expectClose(dot(rows[i], rec[j]), i == j ? 1 : 0, tol: 1e-12) } }
    }

    @Test func fractionalCartesianRoundTrip() throws {
        let l = try Lattice(a: 9.8, b: 10.7, c: 14, alpha: 95.3, beta: 110.5, gamma: 74.7)
        var rng = SplitMix(state: 7)
        for _ in 0..<100 {
            let f = Vec3(Double.random(in: -2...2, using: &rng), Double.random(in: -2...2, using: &rng),
                         Double.random(in: -2...2, using: &rng))
            let back = l.fractional(l.cartesian(f))
            #expect(norm(back - f) < 1e-12)
        }
    }

    /// Minimum image against a brute-force search over ±12 cells around the rounded
    /// image, on very skewed cells (angles near 30° and 150°, a nearly flat cell) where
    /// the rounded image is often not the shortest.
    @Test func minimumImageEqualsBruteForceOnSkewedCells() throws {
        var rng = SplitMix(state: 11)
        let cells = [try Lattice(a: 5, b: 6, c: 7, alpha: 30, beta: 35, gamma: 32),
                     try Lattice(a: 4, b: 9, c: 5, alpha: 150, beta: 95, gamma: 100),
                     try Lattice(a: Vec3(10, 0, 0), b: Vec3(9.5, 1, 0), c: Vec3(9, 0.5, 1))]
        for l in cells {
            for _ in 0..<300 {
                let d = Vec3(Double.random(in: -20...20, using: &rng), Double.random(in: -20...20, using: &rng),
                             Double.random(in: -20...20, using: &rng))
                var best = Double.infinity
                let f0 = l.fractional(d)
                let d0 = l.cartesian(f0 - f0.rounded(.toNearestOrEven))
                for i in -12...12 { for j in -12...12 { for k in -12...12 {
                    let v = d0 + Double(i) * l.vectors.0 + Double(j) * l.vectors.1 + Double(k) * l.vectors.2
                    best = min(best, norm(v))
                }}}
                let m = l.minimumImage(d)
                expectClose(norm(m), best, tol: 1e-9, "minimum image length")
                // and it is an image of d: the difference is a lattice vector
                let f = l.fractional(m - d)
                #expect(norm(f - f.rounded(.toNearestOrEven)) < 1e-9)
            }
        }
    }

    @Test func wrapPutsCoordinatesInHalfOpenUnitInterval() {
        for v in [-1e-17, -0.5, 0, 0.999999999999, 1, 1.5, -3.25] {
            let w = Lattice.wrap(Vec3(v, v, v))
            #expect(w.x >= 0 && w.x < 1, "\(v) wrapped to \(w.x)")
        }
    }

    @Test(arguments: [
        (Vec3(1, 0, 0), Vec3(0, 1, 0), Vec3(1, 1, 0)),      // coplanar
        (Vec3(1, 0, 0), Vec3(2, 0, 0), Vec3(0, 0, 1)),      // parallel
        (Vec3(0, 0, 0), Vec3(0, 1, 0), Vec3(0, 0, 1)),      // zero vector
    ])
    func degenerateCellsAreRejected(a: Vec3, b: Vec3, c: Vec3) {
        #expect(throws: X3Error.self) { try Lattice(a: a, b: b, c: c) }
        do { _ = try Lattice(a: a, b: b, c: c) } catch let e as X3Error { #expect(e.status == .invalidCell) } catch {}
    }

    @Test func impossibleAnglesAreRejected() {
        for (al, be, ga) in [(90.0, 90.0, 190.0), (10.0, 20.0, 100.0), (120.0, 120.0, 120.0), (0.0, 90.0, 90.0)] {
            #expect(throws: X3Error.self) { try Lattice(a: 5, b: 5, c: 5, alpha: al, beta: be, gamma: ga) }
        }
        #expect(throws: X3Error.self) { try Lattice(a: -5, b: 5, c: 5, alpha: 90, beta: 90, gamma: 90) }
        #expect(throws: X3Error.self) { try Lattice(a: .nan, b: 5, c: 5, alpha: 90, beta: 90, gamma: 90) }
    }
}

/// The shape limits of accepted cells, and an exact minimum image on the most extreme
/// shapes they allow.
@Suite struct LatticeLimitTests {
    @Test func lengthsOutsideTheLimitsAreRefused() {
        for l in [0.4, 1e-5, 1.01e4, 1e20] {
            expectX3Error(.invalidCell, mentioning: ["must lie in [0.5, 10000]"]) {
                try Lattice(a: l, b: 5, c: 5, alpha: 90, beta: 90, gamma: 90)
            }
            expectX3Error(.invalidCell, mentioning: ["cell vector a"]) {
                try Lattice(a: Vec3(l, 0, 0), b: Vec3(0, 5, 0), c: Vec3(0, 0, 5))
            }
        }
    }

    /// Relative volume √(1 − cos²α − cos²β − cos²γ + 2 cosα cosβ cosγ) below 0.01 is refused
    /// (α = 0.0001°: 1.7e-6), at 0.0115 accepted.
    @Test func nearlyFlatCellsAreRefused() throws {
        expectX3Error(.invalidCell, mentioning: ["nearly flat", "Niggli"]) {
            try Lattice(a: 18.2, b: 31.8, c: 12.6, alpha: 0.0001, beta: 90, gamma: 90)
        }
        _ = try Lattice(a: Vec3(10, 0, 0), b: Vec3(9.5, 1, 0), c: Vec3(9, 0.5, 1))
    }

    /// Brute force over every image within the cell's reach (the search box the
    /// original method used, computed per displacement) against the closest-vector search,
    /// on needles, slabs and skewed cells at the limits.
    @Test func minimumImageIsExactOnExtremeShapes() throws {
        let cells = [
            try Lattice(a: Vec3(0.6, 0, 0), b: Vec3(0, 0.7, 0), c: Vec3(0, 0, 40)),          // needle along c
            try Lattice(a: Vec3(40, 0, 0), b: Vec3(0.3, 30, 0), c: Vec3(0.2, 0.1, 0.6)),     // slab, c short
            try Lattice(a: Vec3(10, 0, 0), b: Vec3(9.5, 1, 0), c: Vec3(9, 0.5, 1)),          // relative volume 0.0115
            try Lattice(a: 3, b: 35, c: 4, alpha: 60, beta: 100, gamma: 140),
        ]
        var rng = SplitMix(state: 5)
        for l in cells {
            for _ in 0..<200 {
                let d = Vec3(Double.random(in: -60...60, using: &rng), Double.random(in: -60...60, using: &rng),
                             Double.random(in: -60...60, using: &rng))
                let f0 = l.fractional(d)
                let start = l.cartesian(f0 - f0.rounded(.toNearestOrEven))
                let len = norm(start)
                let r = [l.reciprocal.0, l.reciprocal.1, l.reciprocal.2].map { Int(len * norm($0) + 1) }
                var best = len
                for i in -r[0]...r[0] { for j in -r[1]...r[1] { for k in -r[2]...r[2] {
                    let v = start + Double(i) * l.vectors.0 + Double(j) * l.vectors.1 + Double(k) * l.vectors.2
                    best = min(best, norm(v))
                }}}
                let m = l.minimumImage(d)
                expectClose(norm(m), best, tol: 1e-9, "minimum image length")
                let f = l.fractional(m - d)
                #expect(norm(f - f.rounded(.toNearestOrEven)) < 1e-9, "an image of d")
            }
        }
    }
}
