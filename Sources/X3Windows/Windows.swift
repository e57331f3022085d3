import Synchronization
import X3Core

/// Caps that keep a mistaken request (a tiny step, a huge radius) from exhausting memory.
/// Exceeding one is an `.outOfMemory` error raised before the large allocation.
public struct WindowLimits: Sendable, Equatable {
    /// Most windows one request may produce. Default: the process limit
    /// `window_max_count` (1,000,000 unless set).
    public var maxWindows: Int
    /// Most gathered atoms (summed over windows) one request may produce; each costs
    /// 44 bytes. Default: the process limit `window_max_atoms` (100,000,000, 4.4 GB,
    /// unless set).
    public var maxAtoms: Int

    public init(maxWindows: Int? = nil, maxAtoms: Int? = nil) {
        self.maxWindows = maxWindows ?? Limits.value(.windowMaxCount)
        self.maxAtoms = maxAtoms ?? Limits.value(.windowMaxAtoms)
    }
}

/// How a caller gives points: fractional (of the structure's lattice) or Cartesian (Å).
public enum CoordinateKind: Int32, Sendable {
    case fractional = 0
    case cartesian = 1
}

/// Spherical detection windows of a periodic structure: for each centre, every atom of
/// the infinite crystal within `radius` of it.
///
/// Conventions (fixed; include/x3mat.h states the same):
/// - An atom image belongs to a window when its distance d to the centre satisfies
///   d² ≤ R² (inclusive), computed in double precision.
/// - Atom image: source atom j of the structure at fractional position fⱼ + n, where fⱼ is
///   the structure's stored fractional position and n = (n₁, n₂, n₃) the integer image
///   offset. Its position in the window is (fⱼ + n)·cell − centre, Cartesian Å.
/// - Within a window atoms are ordered by source index, then by n₁, n₂, n₃ — integer
///   keys, so the order does not depend on rounding.
/// - Windows are in grid order (`WindowGrid`) or in the caller's order of centres.
/// Storage is flat, concatenated over windows: window w's atoms are entries
/// `offsets[w] ..< offsets[w + 1]`.
public struct Windows: Sendable {
    public let lattice: Lattice
    /// The window radius R, Å.
    public let radius: Double
    /// The grid of centres; nil for windows at caller-given centres.
    public let grid: WindowGrid?
    /// Centres in fractional coordinates (as given, not wrapped, for caller-given ones).
    public let fractionalCentres: [Vec3]
    /// offsets[w] ..< offsets[w + 1] are window w's entries; count + 1 values.
    public let offsets: [Int]
    /// Per entry: index of the source atom in the structure (0-based).
    public let sourceAtoms: [Int32]
    /// Per entry: atomic number.
    public let atomicNumbers: [Int32]
    /// Per entry, 3 values: the image offset n.
    public let images: [Int32]
    /// Per entry, 3 values: Cartesian position relative to the window centre, Å.
    public let positions: [Double]

    /// Number of windows.
    public var count: Int { fractionalCentres.count }
    /// Atoms summed over windows.
    public var totalAtoms: Int { offsets.last ?? 0 }

    public func atomRange(_ window: Int) -> Range<Int> { offsets[window] ..< offsets[window + 1] }
    public func atomCount(_ window: Int) -> Int { offsets[window + 1] - offsets[window] }
    public func cartesianCentre(_ window: Int) -> Vec3 { lattice.cartesian(fractionalCentres[window]) }
    public var cartesianCentres: [Vec3] { fractionalCentres.map { lattice.cartesian($0) } }
    /// Relative position of entry e, Å.
    public func position(_ e: Int) -> Vec3 { Vec3(positions[3 * e], positions[3 * e + 1], positions[3 * e + 2]) }
    public func image(_ e: Int) -> SIMD3<Int32> { SIMD3(images[3 * e], images[3 * e + 1], images[3 * e + 2]) }
}

/// Builds `Windows`: on the grid of a step, or at given centres.
public enum WindowSampler {
    /// Largest |fractional coordinate| accepted for atoms and centres: far outside any
    /// sensible input, and small enough that image arithmetic stays exact.
    public static let maxFractionalMagnitude = 1e6

    /// Windows of radius `radius` (Å) on the grid of step `step` (Å) over the unit cell.
    public static func sample(_ s: Structure, radius: Double, step: Double,
                              limits: WindowLimits = WindowLimits(), threads: Int = X3Threads.count) throws -> Windows {
        try validate(s, radius: radius, limits: limits)
        let grid = try WindowGrid(lattice: s.lattice, step: step, maxWindows: limits.maxWindows)
        return try gather(s, radius: radius, grid: grid, limits: limits, threads: threads)
    }

    /// Windows of radius `radius` (Å) on the points of a grid over the unit cell.
    public static func sample(_ s: Structure, radius: Double, grid: WindowGrid,
                              limits: WindowLimits = WindowLimits(), threads: Int = X3Threads.count) throws -> Windows {
        try validate(s, radius: radius, limits: limits)
        return try gather(s, radius: radius, grid: grid, limits: limits, threads: threads)
    }

    /// The windows of every point of `grid`, for a validated structure and radius.
    static func gather(_ s: Structure, radius: Double, grid: WindowGrid, limits: WindowLimits,
                       threads: Int) throws -> Windows {
        guard grid.count <= limits.maxWindows else {
            throw X3Error(.outOfMemory, "a grid of \(grid.count) windows exceeds the cap of \(limits.maxWindows) windows")
        }
        try checkExpectedAtoms(s, radius: radius, windows: grid.count, limits: limits)  // before the centres
        let centres = (0..<grid.count).map(grid.fractionalCentre)
        return try gather(s, radius: radius, grid: grid, centres: centres, limits: limits, threads: threads)
    }

    /// Windows of radius `radius` (Å) at caller-given centres, in their order.
    public static func sample(_ s: Structure, radius: Double, centres: [Vec3], coordinates: CoordinateKind,
                              limits: WindowLimits = WindowLimits(), threads: Int = X3Threads.count) throws -> Windows {
        try validate(s, radius: radius, limits: limits)
        guard centres.count <= limits.maxWindows else {
            throw X3Error(.outOfMemory, "\(centres.count) centres exceed the cap of \(limits.maxWindows) windows")
        }
        var fc = [Vec3]()
        fc.reserveCapacity(centres.count)
        for (i, c) in centres.enumerated() {
            guard c.x.isFinite, c.y.isFinite, c.z.isFinite else {
                throw X3Error(.invalidArgument, "centre \(i) = (\(c.x), \(c.y), \(c.z)) is not finite")
            }
            let f = coordinates == .cartesian ? s.lattice.fractional(c) : c
            guard maxMagnitude(f) <= maxFractionalMagnitude else {
                throw X3Error(.invalidArgument,
                    "centre \(i) is \(maxMagnitude(f)) cells from the origin; centres must lie within "
                    + "\(Int(maxFractionalMagnitude)) cells")
            }
            fc.append(f)
        }
        return try gather(s, radius: radius, grid: nil, centres: fc, limits: limits, threads: threads)
    }

    static func validate(_ s: Structure, radius: Double, limits: WindowLimits) throws {
        guard radius.isFinite, radius > 0 else {
            throw X3Error(.invalidArgument, "radius = \(radius) Å; it must be a positive finite number")
        }
        guard limits.maxWindows > 0, limits.maxAtoms > 0 else {
            throw X3Error(.invalidArgument,
                "window caps must be positive (max windows \(limits.maxWindows), max atoms \(limits.maxAtoms))")
        }
        guard s.count > 0 else {
            throw X3Error(.invalidArgument, "the structure\(s.name.isEmpty ? "" : " '\(s.name)'") has no atoms")
        }
        for (i, f) in s.fractionalPositions.enumerated() where maxMagnitude(f) > maxFractionalMagnitude {
            throw X3Error(.invalidArgument,
                "atom \(i) lies \(maxMagnitude(f)) cells from the origin; atoms must lie within "
                + "\(Int(maxFractionalMagnitude)) cells")
        }
    }

    /// Expected atoms summed over `windows` windows: density × sphere volume × windows.
    static func expectedAtoms(_ s: Structure, radius: Double, windows: Int) -> Double {
        Double(s.count) / s.lattice.volume * (4.0 / 3.0) * Double.pi * radius * radius * radius * Double(windows)
    }

    /// Refuses, before anything is allocated, windows expected to hold more atoms than the cap.
    static func checkExpectedAtoms(_ s: Structure, radius: Double, windows: Int, limits: WindowLimits) throws {
        let expected = expectedAtoms(s, radius: radius, windows: windows)
        guard expected <= Double(limits.maxAtoms) else {
            throw X3Error(.outOfMemory,
                "\(windows) windows of radius \(radius) Å would hold about \(formatFixed(expected, 0)) atoms "
                + "(\(formatFixed(Double(s.count) / s.lattice.volume, 4)) atoms/Å³), more than the cap of "
                + "\(limits.maxAtoms) atoms (decrease the radius or raise the cap, limit 'window_max_atoms')")
        }
    }

    static func gather(_ s: Structure, radius: Double, grid: WindowGrid?, centres: [Vec3],
                       limits: WindowLimits, threads: Int) throws -> Windows {
        try checkExpectedAtoms(s, radius: radius, windows: centres.count, limits: limits)
        let cells = PeriodicCellList(structure: s, radius: radius)
        let zOf = s.atomicNumbers.map(Int32.init)
        let lattice = s.lattice

        // Tasks of consecutive windows; results concatenated in window order.
        let nWin = centres.count
        let perTask = max(1, min(256, nWin / max(1, 16 * threads)))
        let nTasks = (nWin + perTask - 1) / perTask
        let results = TaskResults<Chunk>(count: nTasks)
        let total = Atomic<Int>(0)
        let overflow = Atomic<Bool>(false)
        let maxAtoms = limits.maxAtoms
        let packed = cells.packable
        parallelFor(tasks: nTasks, threads: threads) { task in
            if overflow.load(ordering: .relaxed) { return }
            let w0 = task * perTask, w1 = min(nWin, w0 + perTask)
            var chunk = Chunk()
            var keys: [UInt64] = []
            var scratch: [Entry] = []
            for w in w0..<w1 {
                let fc = centres[w]
                let pc = lattice.cartesian(fc)
                if packed {
                    // Fast path: gather packed (source, image) keys, sort integers, rebuild.
                    let base = SIMD3<Int32>(Int32(fc.x.rounded(.down)), Int32(fc.y.rounded(.down)),
                                            Int32(fc.z.rounded(.down)))
                    keys.removeAll(keepingCapacity: true)
                    cells.gather(fractional: fc, cartesian: pc) { e, q1, q2, q3, _, _, _ in
                        keys.append(cells.key(e, q1, q2, q3, base: base))
                    }
                    keys.sort()
                    chunk.counts.append(keys.count)
                    for key in keys {
                        let (j, q) = cells.decode(key, base: base)
                        let r = cells.relative(j, q, cartesian: pc)
                        chunk.append(source: Int32(j), z: zOf[j], image: q &- cells.shiftOfSource[j], position: r)
                    }
                } else {
                    scratch.removeAll(keepingCapacity: true)
                    cells.gather(fractional: fc, cartesian: pc) { e, q1, q2, q3, dx, dy, dz in
                        scratch.append(Entry(source: cells.source[e], n1: q1 - cells.k1[e], n2: q2 - cells.k2[e],
                                             n3: q3 - cells.k3[e], x: dx, y: dy, z: dz))
                    }
                    scratch.sort()
                    chunk.counts.append(scratch.count)
                    for e in scratch {
                        chunk.append(source: e.source, z: zOf[Int(e.source)], image: SIMD3(e.n1, e.n2, e.n3),
                                     position: Vec3(e.x, e.y, e.z))
                    }
                }
            }
            if total.add(chunk.source.count, ordering: .relaxed).newValue > maxAtoms {
                overflow.store(true, ordering: .relaxed)
                return
            }
            results[task] = chunk
        }
        if overflow.load(ordering: .relaxed) {
            throw X3Error(.outOfMemory,
                "the \(nWin) windows of radius \(radius) Å hold more than the cap of \(maxAtoms) atoms "
                + "(decrease the radius or raise the cap)")
        }

        let n = total.load(ordering: .relaxed)
        var offsets = [Int](), src = [Int32](), zs = [Int32](), imgs = [Int32](), pos = [Double]()
        offsets.reserveCapacity(nWin + 1); src.reserveCapacity(n); zs.reserveCapacity(n)
        imgs.reserveCapacity(3 * n); pos.reserveCapacity(3 * n)
        offsets.append(0)
        for t in 0..<nTasks {
            guard let c = results[t] else { throw X3Error(.internal, "window task \(t) produced no result") }
            for k in c.counts { offsets.append(offsets.last! + k) }
            src += c.source; zs += c.z; imgs += c.images; pos += c.positions
        }
        return Windows(lattice: lattice, radius: radius, grid: grid, fractionalCentres: centres, offsets: offsets,
                       sourceAtoms: src, atomicNumbers: zs, images: imgs, positions: pos)
    }
}

@inline(__always) func maxMagnitude(_ v: Vec3) -> Double { max(abs(v.x), abs(v.y), abs(v.z)) }

/// One gathered atom image before sorting.
struct Entry: Comparable {
    var source: Int32, n1: Int32, n2: Int32, n3: Int32
    var x: Double, y: Double, z: Double

    static func < (l: Entry, r: Entry) -> Bool {
        if l.source != r.source { return l.source < r.source }
        if l.n1 != r.n1 { return l.n1 < r.n1 }
        if l.n2 != r.n2 { return l.n2 < r.n2 }
        return l.n3 < r.n3
    }

    static func == (l: Entry, r: Entry) -> Bool {
        l.source == r.source && l.n1 == r.n1 && l.n2 == r.n2 && l.n3 == r.n3
    }
}

/// The windows of one task, flat.
struct Chunk {
    var counts: [Int] = []
    var source: [Int32] = [], z: [Int32] = [], images: [Int32] = [], positions: [Double] = []

    @inline(__always)
    mutating func append(source j: Int32, z zj: Int32, image n: SIMD3<Int32>, position r: Vec3) {
        source.append(j)
        z.append(zj)
        images.append(n.x); images.append(n.y); images.append(n.z)
        positions.append(r.x); positions.append(r.y); positions.append(r.z)
    }
}
