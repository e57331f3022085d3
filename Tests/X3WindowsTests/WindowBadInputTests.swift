import Testing
import X3Core
import X3TestSupport
import X3Windows

/// Bad requests give a status and a message naming the problem, before any large
/// allocation; none crashes.
struct WindowBadInputTests {
    static let cell = try! Lattice(a: 10, b: 11, c: 12, alpha: 90, beta: 90, gamma: 90)
    static let one = try! Structure(name: "one", lattice: cell, atomicNumbers: [14], fractionalPositions: [Vec3(0.1, 0.2, 0.3)])

    @Test(arguments: [0.0, -1.0, Double.nan, Double.infinity, -Double.infinity])
    func radiusMustBePositiveAndFinite(r: Double) {
        expectX3Error(.invalidArgument, mentioning: ["radius"]) { try WindowSampler.sample(Self.one, radius: r, step: 2) }
        expectX3Error(.invalidArgument, mentioning: ["radius"]) {
            try WindowSampler.sample(Self.one, radius: r, centres: [.zero], coordinates: .cartesian)
        }
    }

    @Test(arguments: [0.0, -2.0, Double.nan, Double.infinity])
    func stepMustBePositiveAndFinite(s: Double) {
        expectX3Error(.invalidArgument, mentioning: ["step"]) { try WindowSampler.sample(Self.one, radius: 6, step: s) }
    }

    /// A step of 0.01 Å over a 10×11×12 Å cell asks for 1.32e9 windows; 1e-300 Å for an
    /// overflowing count. Both stop at the cap, naming it.
    @Test(arguments: [0.01, 1e-300, Double.leastNonzeroMagnitude])
    func tinyStepStopsAtTheWindowCap(s: Double) {
        expectX3Error(.outOfMemory, mentioning: ["cap of 1000000 windows"]) { try WindowSampler.sample(Self.one, radius: 6, step: s) }
    }

    @Test func windowCapIsConfigurable() throws {
        let limits = WindowLimits(maxWindows: 100)
        expectX3Error(.outOfMemory, mentioning: ["cap of 100 windows"]) {
            try WindowSampler.sample(Self.one, radius: 6, step: 2, limits: limits)  // 5×6×6 = 180
        }
        #expect(try WindowSampler.sample(Self.one, radius: 6, step: 2, limits: WindowLimits(maxWindows: 180)).count == 180)
        expectX3Error(.outOfMemory, mentioning: ["101 centres"]) {
            try WindowSampler.sample(Self.one, radius: 6, centres: Array(repeating: .zero, count: 101),
                                     coordinates: .fractional, limits: limits)
        }
        expectX3Error(.invalidArgument, mentioning: ["caps"]) {
            try WindowSampler.sample(Self.one, radius: 6, step: 2, limits: WindowLimits(maxWindows: 0))
        }
    }

    /// A huge radius is refused from the expected atom count, before gathering; a cap
    /// just below the true total is caught during gathering.
    @Test func atomCapStopsHugeRadiiBeforeAllocating() throws {
        expectX3Error(.outOfMemory, mentioning: ["cap of 100000000 atoms"]) {
            try WindowSampler.sample(Self.one, radius: 1e5, step: 2)
        }
        let all = try WindowSampler.sample(Self.one, radius: 6, step: 2)
        expectX3Error(.outOfMemory, mentioning: ["atoms"]) {
            try WindowSampler.sample(Self.one, radius: 6, step: 2, limits: WindowLimits(maxAtoms: all.totalAtoms - 1))
        }
    }

    @Test func emptyStructureIsRefused() throws {
        let empty = try Structure(name: "nothing", lattice: Self.cell, atomicNumbers: [], fractionalPositions: [])
        expectX3Error(.invalidArgument, mentioning: ["'nothing'", "no atoms"]) { try WindowSampler.sample(empty, radius: 6, step: 2) }
    }

    @Test func nonFiniteOrFarCentresAreRefused() {
        expectX3Error(.invalidArgument, mentioning: ["centre 1", "not finite"]) {
            try WindowSampler.sample(Self.one, radius: 6, centres: [.zero, Vec3(0, .nan, 0)], coordinates: .cartesian)
        }
        expectX3Error(.invalidArgument, mentioning: ["centre 0", "cells from the origin"]) {
            try WindowSampler.sample(Self.one, radius: 6, centres: [Vec3(1e12, 0, 0)], coordinates: .cartesian)
        }
    }

    @Test func atomsFarOutsideTheCellAreRefused() throws {
        let far = try Structure(name: "far", lattice: Self.cell, atomicNumbers: [8, 8],
                                fractionalPositions: [.zero, Vec3(0, 0, 3e9)])
        expectX3Error(.invalidArgument, mentioning: ["atom 1"]) { try WindowSampler.sample(far, radius: 6, step: 2) }
    }

    /// Windows with no atom are legal: a one-atom cell of 30 Å with R = 3 Å has mostly
    /// empty windows, and each has an empty range.
    @Test func emptyWindowsAreLegal() throws {
        let big = try Structure(name: "big", lattice: Lattice(a: 30, b: 30, c: 30, alpha: 90, beta: 90, gamma: 90),
                                atomicNumbers: [6], fractionalPositions: [Vec3(0.5, 0.5, 0.5)])
        let w = try WindowSampler.sample(big, radius: 3, step: 2)
        let empty = (0..<w.count).filter { w.atomCount($0) == 0 }.count
        #expect(w.count == 15 * 15 * 15)
        #expect(empty > 3000 && empty < w.count)
        #expect(w.totalAtoms == w.count - empty)  // one atom, never two images within 3 Å in a 30 Å cell
    }
}
