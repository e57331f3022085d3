import ArgumentParser
import X3Core
import X3Inference
import X3Interpret
import X3Network
import X3Sites
import X3Windows
#if canImport(Glibc)
import Glibc
#endif

struct SitesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sites",
        abstract: "Find the distinct local sites of a dataset by hashing window bond graphs; with a model, its strongest sites.",
        discussion: """
            x3mat sites DIR              the most frequent sites of a dataset
            x3mat sites DIR -m MODEL     the sites with the strongest mean contribution of a model

            Every structure of DIR (or DIR/cif) is cut into windows; each window becomes a
            bond graph (atoms bonded when closer than TOLERANCE × the sum of their covalent
            radii), chosen elements are removed, and the graph is hashed with the
            Weisfeiler–Lehman hash NetworkX computes (weisfeiler_lehman_graph_hash with
            node_attr="element"). Windows with equal hashes are the same site. The summary
            lists the top sites with an example window; --output writes sites.csv,
            sites.json and one XYZ file per listed site (the example window's atoms).

            With a MODEL (a shipped model's name or a model file) the windows are the
            model's (its radius and step), each window's contribution is predicted, and
            sites are ranked by their mean contribution to --rank-by (the first target by
            default), strongest first: highest, or lowest with --strong low (e.g. band
            gaps); by default the model card's strong end for that target.
            --min-count keeps sites seen in at least that many windows (recurring sites).
            Without --rank-by, a table per target; --output then writes OUTPUT/TARGET/ for each
            target of a multi-target model.

            Removal: ELEMENT:delete drops the atom (H in MOFs); ELEMENT:contract drops it and
            bonds its neighbours (O in silica zeolites, leaving the T-atom network).

            Examples:
              x3mat sites ../shared/data/iza --radius 6 --step 2 --remove O:contract
              x3mat sites ../shared/data/iza -m iza-ar-uptake --top 5 --remove O:contract
            """)

    @Argument(help: "A folder of CIF files, or a dataset folder with a cif/ subfolder.") var directory: String
    @Option(name: .shortAndLong, help: "A shipped model's name or a model file: rank sites by its contributions.") var model: String?
    @Option(help: "Window radius, Å (default: 6; with a model, the model's).") var radius: Double?
    @Option(help: "Grid step, Å (default: 2; with a model, the model's).") var step: Double?
    @Option(help: "Elements to remove before hashing, e.g. O:contract or H:delete (comma-separated).")
    var remove: String = ""
    @Option(help: "Bond tolerance: bonded when d < tolerance × (r_i + r_j).") var tolerance: Double = SiteGraphOptions.defaultTolerance
    @Option(help: "Weisfeiler–Lehman iterations.") var iterations: Int = 3
    @Option(help: "BLAKE2b digest size in bytes (the hash has twice as many hex digits).") var digestSize: Int = 16
    @Option(help: "How many sites to list (and write with --output).") var top: Int = 10
    @Option(help: "With a model: the target to rank by (name or 0-based index).") var rankBy: String?
    @Option(help: "With a model: the strong end of the contributions, high or low (default: the model card's, else high).")
    var strong: String?
    @Option(help: "List only sites seen in at least this many windows.") var minCount: Int = 1
    @Option(help: "Read at most this many structures (in name order).") var limit: Int?
    @Option(name: .shortAndLong, help: "Write sites.csv, sites.json and sites/*.xyz into this folder.") var output: String?
    @OptionGroup var symmetry: SymmetryFlags
    @Option(help: "Threads (default: X3MAT_NUM_THREADS or the number of CPUs).") var threads: Int?

    func run() throws { try exitingOnError(sites) }

    func sites() throws {
        let options = SiteGraphOptions(tolerance: tolerance, removal: try SiteGraphOptions.parseRemoval(remove),
                                       iterations: iterations, digestSize: digestSize)
        try options.validate()
        guard top >= 1 else { throw X3Error(.invalidArgument, "--top must be at least 1") }
        guard minCount >= 1 else { throw X3Error(.invalidArgument, "--min-count must be at least 1") }
        let nThreads = try threadCount(threads)
        var model: ModelEnsemble?
        var modelPath = ""
        if let spec = self.model {
            modelPath = try ModelSearchPath.resolve(spec)
            model = try ModelFile.loadEnsemble(path: modelPath)
            let c = model!.config
            for (given, used, name) in [(radius, c.windowRadius, "--radius"), (step, c.windowStep, "--step")] {
                if let given, abs(given - used) > 1e-12 {
                    throw X3Error(.invalidArgument, "\(name) \(given) Å differs from the model's \(used) Å; a model predicts on its own windows")
                }
            }
        }
        let r = model?.config.windowRadius ?? radius ?? 6, h = model?.config.windowStep ?? step ?? 2
        let targets = model?.config.targets ?? []
        guard model != nil || rankBy == nil else { throw X3Error(.invalidArgument, "--rank-by needs a model (--model)") }
        let rank = try rankBy.map { try targetIndex($0, targets) }
        let dir = FileIO.isDirectory(directory + "/cif") ? directory + "/cif" : directory
        var files = try FileIO.list(directory: dir, suffix: ".cif")
        if let limit { files = Array(files.prefix(max(0, limit))) }
        guard !files.isEmpty else { throw X3Error(.io, "\(dir): no .cif files") }

        let catalogue = try SiteCatalogue(options: options, targets: targets)
        let progress = Progress(total: files.count, label: "structures")
        var skipped: [(String, String)] = []
        var evaluated = 0
        let symmetryOptions = try symmetry.options()
        let t0 = monotonicSeconds()
        func skip(_ name: String, _ reason: String) {
            skipped.append((name, reason))
            progress.note("skipped \(name): \(reason)")
        }
        if let model {
            let engine = InferenceEngine(ensemble: model, symmetry: symmetryOptions, threads: nThreads)
            try engine.stream(count: files.count, load: { i in
                (try CIFReader.read(path: dir + "/" + files[i]), InputFiles.id(files[i]))
            }, emit: { i, result in
                switch result {
                case .success(let p):
                    try catalogue.add(p.windows, structure: p.id, values: p.contributions, sameAs: p.representatives,
                                      threads: nThreads)
                    evaluated += p.orbits.count
                case .failure(let e):
                    skip(files[i], e.message)
                }
                progress.update(i + 1)
            })
        } else {
            for (i, name) in files.enumerated() {
                do {
                    let s = try CIFReader.read(path: dir + "/" + name)
                    let w = try WindowSampler.sample(s, radius: r, step: h, threads: nThreads)
                    try catalogue.add(w, structure: InputFiles.id(name), threads: nThreads)
                } catch let e as X3Error {
                    skip(name, e.message)
                }
                progress.update(i + 1)
            }
        }
        progress.finish()
        let dt = monotonicSeconds() - t0
        print("\(dir): \(files.count - skipped.count) structures, \(catalogue.windowCount) windows "
              + "(radius \(fixed(r, 2)) Å, step \(fixed(h, 2)) Å), \(catalogue.sites.count) distinct sites "
              + "in \(fixed(dt, 1)) s" + (model == nil ? "" : " (model \(modelPath); \(evaluated) windows evaluated)"))
        print("bond graphs: tolerance \(fixed(tolerance, 2)), removal \(remove.isEmpty ? "none" : remove); "
              + "WL hash: \(iterations) iterations, digest \(digestSize) bytes")
        if !skipped.isEmpty { print("skipped \(skipped.count) file(s) (reasons above)") }
        // Without a model: one table by frequency. With one: a table per target (or the
        // --rank-by target), each written to OUTPUT/TARGET/ when there are several; each
        // target's strong end is --strong or its model card's.
        let rankings: [Int?] = model == nil ? [nil] : rank.map { [$0] } ?? Array(0..<targets.count)
        for r in rankings {
            let lowest = try r.map { try strongEnd(strong, card: model?.card, targets: [$0]) == .low } ?? false
            if let r {
                print("\nranked by mean contribution to \(targets[r]), \(lowest ? "lowest" : "highest") first; sites with ≥ \(minCount) windows")
            }
            let ranked = try catalogue.ranked(by: r, top: top, lowest: lowest, minCount: minCount)
            print("rank  windows  structures  " + (r == nil ? "" : "contribution (± std)  nearest atom  ")
                  + "hash                               example (structure, window, atoms)")
            for (i, s) in ranked.enumerated() {
                var line = pad(String(i + 1), 4) + "  " + pad(String(s.count), 7) + "  " + pad(String(s.structureCount), 10) + "  "
                if let r {
                    line += pad(g4(s.stats[r].mean) + " ± " + g4(s.stats[r].std), 20) + "  "
                        + pad(s.nearestAtomDistance.map { fixed($0, 2) + " Å" } ?? "-", 12) + "  "
                }
                print(line + s.hash + String(repeating: " ", count: max(1, 35 - s.hash.count))
                      + "\(s.exampleStructure), window \(s.exampleWindow), \(s.exampleAtomicNumbers.isEmpty ? "empty" : Elements.hillFormula(atomicNumbers: s.exampleAtomicNumbers))")
            }
            if let output {
                let folder = rankings.count > 1 ? output + "/" + Explanation.stem(targets[r!]) : output
                try catalogue.write(directory: folder, rankedBy: r, top: top, lowest: lowest, minCount: minCount)
                print("wrote \(folder)/sites.csv, \(folder)/sites.json and \(ranked.count) XYZ files in \(folder)/sites/")
            }
        }
    }
}

func pad(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }
