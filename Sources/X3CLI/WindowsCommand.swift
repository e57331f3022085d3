import ArgumentParser
import X3Core
import X3Windows
#if canImport(Glibc)
import Glibc
#endif

struct WindowsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "windows",
        abstract: "Cut a structure into spherical detection windows and summarise them.",
        discussion: """
            Window centres lie on a regular grid over the unit cell: along each lattice
            vector a_i there are n_i = max(1, ceil(|a_i| / step)) points, at fractional
            positions k_i / n_i (the cell origin is a centre). A window holds every atom of
            the infinite periodic crystal within the radius (inclusive) of its centre,
            periodic images included.

            --output writes the windows as extended XYZ, one frame per window (positions in
            Å relative to the window centre; per atom its 0-based source atom and image
            offset). ASE reads it with ase.io.read(path, index=":").

            Example: x3mat windows ../shared/data/iza/cif/LTA.cif --radius 6 --step 2
            """)

    @Argument(help: "A CIF file.") var structure: String
    @Option(help: "Window radius R, Å (the paper uses 6 Å for adsorption, 8 Å for band gaps).")
    var radius: Double = 6
    @Option(help: "Grid step, Å.") var step: Double = 2
    @Option(help: "Refuse grids with more windows than this.") var maxWindows = Limits.Name.windowMaxCount.defaultValue
    @Option(help: "Threads (default: X3MAT_NUM_THREADS or the number of CPUs).") var threads: Int?
    @Option(name: .shortAndLong, help: "Write the windows to this extended XYZ file.") var output: String?
    @Option(help: "Data block to read (default: the first).") var block: String?

    func run() throws {
        do {
            let s = try CIFReader.read(path: structure, options: CIFReadOptions(block: block))
            let nThreads = try threadCount(threads)
            let t0 = monotonicSeconds()
            let w = try WindowSampler.sample(s, radius: radius, step: step,
                                             limits: WindowLimits(maxWindows: maxWindows), threads: nThreads)
            let dt = monotonicSeconds() - t0
            let counts = (0..<w.count).map(w.atomCount)
            let g = w.grid!
            let p = s.lattice.parameters
            print("\(structure): \(s.formula), \(s.count) atoms; cell \(fixed(p.a, 4)) \(fixed(p.b, 4)) "
                  + "\(fixed(p.c, 4)) Å, \(fixed(p.alpha, 2)) \(fixed(p.beta, 2)) \(fixed(p.gamma, 2))°")
            print("windows  radius \(fixed(radius, 3)) Å, step \(fixed(step, 3)) Å, grid \(g.n1) x \(g.n2) x \(g.n3) "
                  + "= \(w.count) windows")
            let empty = counts.filter { $0 == 0 }.count
            print("atoms    \(w.totalAtoms) gathered; per window min \(counts.min()!), "
                  + "mean \(fixed(Double(w.totalAtoms) / Double(w.count), 3)), max \(counts.max()!); "
                  + "\(empty) empty window\(empty == 1 ? "" : "s")")
            print("time     \(fixed(dt, 4)) s on \(nThreads) thread\(nThreads == 1 ? "" : "s") "
                  + "(\(fixed(Double(w.count) / max(dt, 1e-9), 0)) windows/s)")
            if let output {
                try WindowsXYZ.write(w, structureName: s.name, path: output)
                print("wrote    \(output) (\(w.count) frames, extended XYZ)")
            }
        } catch let e as X3Error {
            printError("error: \(e.message)")
            throw ExitCode(1)
        }
    }
}
