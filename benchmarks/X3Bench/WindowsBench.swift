// Window sampling throughput: libx3mat's cell list against the brute-force reference
// algorithm (every atom × every image in a box wide enough for all centres, the method
// of bindings/python/tests/test_windows_reference.py), timed in the same run.
import X3Core
import X3Windows

/// Runs `body` repeatedly for at least `minSeconds` (and at least twice); returns the
/// fastest time per call, s.
func bestTime(minSeconds: Double = 0.5, _ body: () throws -> Void) rethrows -> Double {
    var best = Double.infinity, total = 0.0, runs = 0
    while total < minSeconds || runs < 2 {
        let t0 = now()
        try body()
        let dt = now() - t0
        best = min(best, dt); total += dt; runs += 1
    }
    return best
}

/// The brute-force reference: for every centre, every atom, every image offset in one box
/// that covers all centres; returns the number of atom images within R.
func bruteForceCount(_ s: Structure, radius: Double, centres: [Vec3]) -> Int {
    let l = s.lattice
    let reach = [norm(l.reciprocal.0), norm(l.reciprocal.1), norm(l.reciprocal.2)].map { $0 * radius }
    let f = s.fractionalPositions
    var lo = [0, 0, 0], hi = [0, 0, 0]
    for d in 0..<3 {
        let cmin = centres.map { $0[d] }.min()!, cmax = centres.map { $0[d] }.max()!
        let fmin = f.map { $0[d] }.min()!, fmax = f.map { $0[d] }.max()!
        lo[d] = Int((cmin - fmax - reach[d]).rounded(.down))
        hi[d] = Int((cmax - fmin + reach[d]).rounded(.up))
    }
    var points: [Vec3] = []
    for n1 in lo[0]...hi[0] {
        for n2 in lo[1]...hi[1] {
            for n3 in lo[2]...hi[2] {
                for p in f { points.append(l.cartesian(p + Vec3(Double(n1), Double(n2), Double(n3)))) }
            }
        }
    }
    let r2 = radius * radius
    var found = 0
    for c in centres {
        let pc = l.cartesian(c)
        for p in points {
            let d = p - pc
            if dot(d, d) <= r2 { found += 1 }
        }
    }
    return found
}

func supercell(_ s: Structure, _ m: Int) throws -> Structure {
    var zs: [Int] = [], fs: [Vec3] = []
    for i in 0..<m { for j in 0..<m { for k in 0..<m {
        for (z, f) in zip(s.atomicNumbers, s.fractionalPositions) {
            zs.append(z)
            fs.append((f + Vec3(Double(i), Double(j), Double(k))) / Double(m))
        }
    }}}
    let (a, b, c) = s.lattice.vectors
    return try Structure(name: "\(s.name) \(m)x\(m)x\(m)", lattice: Lattice(a: Double(m) * a, b: Double(m) * b, c: Double(m) * c),
                         atomicNumbers: zs, fractionalPositions: fs)
}

func benchWindows(data: String) throws {
    let threads = X3Threads.count
    print("windows: R and step in Å; times are the best of repeated runs; brute force is single-threaded")
    func report(_ label: String, _ structures: [Structure], radius: Double, step: Double, bruteLimit: Int = Int.max) throws {
        var windows = 0, atoms = 0
        let tMany = try bestTime {
            windows = 0; atoms = 0
            for s in structures {
                let w = try WindowSampler.sample(s, radius: radius, step: step, threads: threads)
                windows += w.count; atoms += w.totalAtoms
            }
        }
        let tOne = try bestTime {
            for s in structures { _ = try WindowSampler.sample(s, radius: radius, step: step, threads: 1) }
        }
        // Brute force on the first structures only when it would take too long otherwise.
        let subset = Array(structures.prefix(bruteLimit))
        var bruteAtoms = 0, subsetWindows = 0, subsetAtoms = 0
        let tSubsetOne = try bestTime {
            subsetWindows = 0; subsetAtoms = 0
            for s in subset {
                let w = try WindowSampler.sample(s, radius: radius, step: step, threads: 1)
                subsetWindows += w.count; subsetAtoms += w.totalAtoms
            }
        }
        let tBrute = try bestTime(minSeconds: 0.2) {
            bruteAtoms = 0
            for s in subset {
                let g = try WindowGrid(lattice: s.lattice, step: step, maxWindows: WindowLimits().maxWindows)
                bruteAtoms += bruteForceCount(s, radius: radius, centres: (0..<g.count).map(g.fractionalCentre))
            }
        }
        precondition(bruteAtoms == subsetAtoms, "brute force found \(bruteAtoms) atoms, cell list \(subsetAtoms)")
        let natoms = structures.map(\.count)
        print("  \(label): \(structures.count) structure(s), \(natoms.min()!)–\(natoms.max()!) atoms/cell, R \(radius), step \(step): "
              + "\(windows) windows, \(atoms) atoms gathered")
        print("    cell list, \(threads) threads: \(formatFixed(tMany * 1e3, 2)) ms = \(formatFixed(Double(windows) / tMany, 0)) windows/s, "
              + "\(formatFixed(Double(atoms) / tMany / 1e6, 2)) M atoms/s")
        print("    cell list, 1 thread:  \(formatFixed(tOne * 1e3, 2)) ms = \(formatFixed(Double(windows) / tOne, 0)) windows/s, "
              + "\(formatFixed(Double(atoms) / tOne / 1e6, 2)) M atoms/s")
        print("    brute force, 1 thread\(subset.count < structures.count ? " (first \(subset.count) structures)" : ""): "
              + "\(formatFixed(tBrute * 1e3, 2)) ms = \(formatFixed(Double(subsetWindows) / tBrute, 0)) windows/s; "
              + "cell list is \(formatFixed(tBrute / tSubsetOne, 1))x faster on 1 thread, "
              + "\(formatFixed(tBrute / tSubsetOne * tOne / tMany, 1))x on \(threads)")
    }
    let fau = try CIFReader.read(path: "\(data)/iza/cif/FAU.cif")
    try report("zeolite FAU", [fau], radius: 6, step: 2)
    // No CIF in ../shared/data has more than 300 atoms; a 2x2x2 supercell of the largest
    // CoRE MOF stands in for a large MOF.
    let mof = try supercell(CIFReader.read(path: "\(data)/coremof/cif/AMAGAX_clean.cif"), 2)
    try report("large MOF (CoRE AMAGAX_clean 2x2x2)", [mof], radius: 6, step: 2)
    let qmof = listCIFs("\(data)/qmof/cif").prefix(200).compactMap { try? CIFReader.read(path: $0) }
    try report("QMOF, first 200 files", qmof, radius: 8, step: 2, bruteLimit: 20)
}
