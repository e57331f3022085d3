import ArgumentParser
import X3Core
import X3Sites
import X3Windows
#if canImport(Glibc)
import Glibc
#endif

struct SitesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sites",
        abstract: "Find the distinct local sites of a dataset by hashing window bond graphs.",
        discussion: """
            Every structure of DIR (or DIR/cif) is cut into windows; each window becomes a
            bond graph (atoms bonded when closer than TOLERANCE × the sum of their covalent
            radii), chosen elements are removed, and the graph is hashed with the
            Weisfeiler–Lehman hash NetworkX computes (weisfeiler_lehman_graph_hash with
            node_attr="element"). Windows with equal hashes are the same site. The summary
            lists the most frequent sites with an example window; --out writes sites.csv,
            sites.json and one XYZ file per listed site.

            Removal: ELEMENT:delete drops the atom (H in MOFs); ELEMENT:contract drops it and
            bonds its neighbours (O in silica zeolites, leaving the T-atom network).

            Example: x3mat sites ../shared/data/iza --radius 6 --step 2 --remove O:contract
            """)

    @Argument(help: "A folder of CIF files, or a dataset folder with a cif/ subfolder.") var directory: String
    @Option(help: "Window radius, Å.") var radius: Double = 6
    @Option(help: "Grid step, Å.") var step: Double = 2
    @Option(help: "Elements to remove before hashing, e.g. O:contract or H:delete (comma-separated).")
    var remove: String = ""
    @Option(help: "Bond tolerance: bonded when d < tolerance × (r_i + r_j).") var tolerance: Double = SiteGraphOptions.defaultTolerance
    @Option(help: "Weisfeiler–Lehman iterations.") var iterations: Int = 3
    @Option(help: "BLAKE2b digest size in bytes (the hash has twice as many hex digits).") var digestSize: Int = 16
    @Option(help: "How many sites to list (and write with --out).") var top: Int = 10
    @Option(help: "Read at most this many structures (in name order).") var limit: Int?
    @Option(help: "Write sites.csv, sites.json and sites/*.xyz into this folder.") var out: String?
    @Option(help: "Threads (default: X3MAT_NUM_THREADS or the number of CPUs).") var threads: Int?

    func run() throws {
        do {
            let options = SiteGraphOptions(tolerance: tolerance, removal: try SiteGraphOptions.parseRemoval(remove),
                                           iterations: iterations, digestSize: digestSize)
            try options.validate()
            guard top >= 1 else { throw X3Error(.invalidArgument, "--top must be at least 1") }
            let nThreads = try threadCount(threads)
            let dir = FileIO.isDirectory(directory + "/cif") ? directory + "/cif" : directory
            var files = try FileIO.list(directory: dir, suffix: ".cif")
            if let limit { files = Array(files.prefix(max(0, limit))) }
            guard !files.isEmpty else { throw X3Error(.io, "\(dir): no .cif files") }

            let catalogue = try SiteCatalogue(options: options)
            let progress = Progress(total: files.count, label: "structures")
            var skipped: [(String, String)] = []
            let t0 = monotonicSeconds()
            for (i, name) in files.enumerated() {
                let path = dir + "/" + name
                do {
                    let s = try CIFReader.read(path: path)
                    let w = try WindowSampler.sample(s, radius: radius, step: step, threads: nThreads)
                    try catalogue.add(w, structure: String(name.dropLast(4)), threads: nThreads)
                } catch let e as X3Error {
                    skipped.append((name, e.message))
                    progress.note("skipped \(name): \(e.message)")
                }
                progress.update(i + 1)
            }
            progress.finish()
            let dt = monotonicSeconds() - t0
            print("\(dir): \(files.count - skipped.count) structures, \(catalogue.windowCount) windows "
                  + "(radius \(fixed(radius, 2)) Å, step \(fixed(step, 2)) Å), \(catalogue.sites.count) distinct sites "
                  + "in \(fixed(dt, 1)) s")
            print("bond graphs: tolerance \(fixed(tolerance, 2)), removal \(remove.isEmpty ? "none" : remove); "
                  + "WL hash: \(iterations) iterations, digest \(digestSize) bytes")
            if !skipped.isEmpty { print("skipped \(skipped.count) file(s) (reasons above)") }
            print("rank  windows  structures  hash                               example (structure, window, atoms)")
            for (r, s) in try catalogue.ranked(by: nil, top: top).enumerated() {
                let rank = String(r + 1), count = String(s.count), structures = String(s.structureCount)
                print(pad(rank, 4) + "  " + pad(count, 7) + "  " + pad(structures, 10) + "  " + s.hash
                      + String(repeating: " ", count: max(1, 35 - s.hash.count))
                      + "\(s.exampleStructure), window \(s.exampleWindow), \(s.exampleAtomicNumbers.isEmpty ? "empty" : Elements.hillFormula(atomicNumbers: s.exampleAtomicNumbers))")
            }
            if let out {
                try catalogue.write(directory: out, rankedBy: nil, top: top)
                print("wrote \(out)/sites.csv, \(out)/sites.json and \(min(top, catalogue.sites.count)) XYZ files in \(out)/sites/")
            }
        } catch let e as X3Error {
            printError("error: \(e.message)")
            throw ExitCode(1)
        }
    }
}

func pad(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }

/// Progress on standard error: a line rewritten in place on a terminal, otherwise a log
/// line about every 10 % (and notes, such as skipped files, on lines of their own).
final class Progress {
    let total: Int, label: String
    let tty = isatty(2) != 0
    let start = monotonicSeconds()
    var lastPercent = -1
    var lastDraw = 0.0

    init(total: Int, label: String) { self.total = total; self.label = label }

    func update(_ done: Int) {
        let now = monotonicSeconds()
        let elapsed = now - start
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        let text = "\(done)/\(total) \(label), \(fixed(elapsed, 1)) s, ETA \(fixed(eta, 0)) s"
        if tty {
            if now - lastDraw > 0.1 || done == total {
                printToStandardError("\r" + text + "   ", newline: false)
                lastDraw = now
            }
        } else {
            let percent = done * 10 / max(total, 1)
            if percent != lastPercent { printError(text); lastPercent = percent }
        }
    }

    func note(_ s: String) {
        if tty { printToStandardError("\r", newline: false) }
        printError(s)
    }

    func finish() { if tty { printToStandardError("\n", newline: false) } }
}
