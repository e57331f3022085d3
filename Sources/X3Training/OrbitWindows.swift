import X3Core
import X3Symmetry
import X3Windows

/// A structure's windows as training uses them: one window per orbit of its window grid
/// (at the representatives' centres), with the orbits, so draws of grid points become
/// weighted orbits (`WindowOrbits.draw`).
struct OrbitWindows: Sendable {
    /// One window per orbit, in orbit order.
    let windows: Windows
    let orbits: WindowOrbits

    init(_ s: Structure, radius: Double, step: Double, symmetry: SymmetryOptions) throws {
        orbits = try symmetry.orbits(s, step: step).orbits
        windows = try WindowSampler.sample(s, radius: radius, centres: orbits.representatives.map(orbits.grid.fractionalCentre),
                                           coordinates: .fractional, threads: 1)
    }
}
