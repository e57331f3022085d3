import ArgumentParser
import X3Core
import X3Inference
import X3Interpret
import X3Network
import X3Sites
#if canImport(Glibc)
import Glibc
#endif

/// Set by SIGINT and SIGTERM while a screen runs: the screen stops reading new
/// structures, writes those already read, and ends.
nonisolated(unsafe) private var screenInterrupted: sig_atomic_t = 0

struct ScreenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "screen",
        abstract: "Screen many structures with a model: results written as they come, resumable, shardable.",
        discussion: """
            INPUT is a folder of CIFs (its *.cif, or cif/*.cif), a CIF file, a CIF list
            (a text file with one path per line, relative to the list's folder; # starts
            a comment) or a quoted glob ('data/*/cif/*.cif'). Structures are named by
            their file names without .cif; names must be unique.

            OUTPUT gets one row per structure, in input order, as soon as it is
            predicted: id, path, windows, windows evaluated (one per symmetry orbit),
            then each target's prediction. Structures that cannot be read or windowed
            go to the failures file with the reason, and the screen goes on. Memory
            does not grow with the number of structures.

            Interrupting (Ctrl-C, SIGTERM) finishes the structures already read and
            stops; a killed screen (even SIGKILL) loses at most the structures it was
            evaluating. --resume continues a screen: structures already in OUTPUT or
            in the failures file are skipped, and a cut-off last line is dropped; the
            finished files equal those of an uninterrupted screen.

            --shard I/N screens the I-th (1-based) of N interleaved shares of the
            inputs (inputs I, I+N, I+2N, ...), for N processes or cluster jobs; each
            needs its own OUTPUT.

            Examples:
              x3mat screen ../shared/data/iza --output iza.csv
              x3mat screen ../shared/data/qmof -m qmof-band-gap -o qmof.csv --top-sites 3
              x3mat screen '../shared/data/*/cif/*.cif' -o all-2of4.csv --shard 2/4 --resume
            """)

    @Argument(help: "CIF files, folders, CIF lists or quoted globs.") var inputs: [String]
    @Option(name: .shortAndLong, help: "A shipped model's name or a model file.") var model: String = ModelSearchPath.defaultName
    @Option(name: .shortAndLong, help: "Results, one row per structure (CSV).") var output: String
    @Option(help: "Structures that failed, with the reason (CSV; default: OUTPUT with .failures.csv).") var failures: String?
    @Flag(help: "Continue a screen: skip structures already in OUTPUT or the failures file.") var resume = false
    @Flag(help: "Replace existing output files (without --resume, existing files are an error).") var force = false
    @Option(help: "Screen only share I of N (1-based), e.g. 2/4.") var shard: String?
    @Option(help: "Also write every window's centre and contribution here (CSV).") var contributions: String?
    @Option(help: "Also write each structure's K strongest sites per target (CSV at --sites).") var topSites: Int = 0
    @Option(help: "Where --top-sites writes (default: OUTPUT with .sites.csv).") var sites: String?
    @Option(help: "Atoms dropped from the bond graphs of sites: auto, none, or e.g. O:contract,H:delete.")
    var remove: String = "auto"
    @OptionGroup var symmetry: SymmetryFlags
    @Option(help: "Windows evaluated together across structures; bounds memory.") var sliceWindows: Int = 1024
    @Option(help: "Threads (default: X3MAT_NUM_THREADS or the number of CPUs).") var threads: Int?

    func run() throws {
        try exitingOnError(screen)
    }

    /// "I/N" → (I − 1, N).
    static func parseShard(_ s: String) throws -> (index: Int, count: Int) {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false).map { Int(String($0)) }
        guard parts.count == 2, let i = parts[0], let n = parts[1], n >= 1, (1...n).contains(i) else {
            throw X3Error(.invalidArgument, "--shard '\(s)': write I/N with 1 ≤ I ≤ N, e.g. 2/4")
        }
        return (i - 1, n)
    }

    /// `path` with its .csv suffix replaced by `suffix`.
    static func sibling(_ path: String, _ suffix: String) -> String {
        (path.lowercased().hasSuffix(".csv") ? String(path.dropLast(4)) : path) + suffix
    }

    /// The first field of a CSV line (RFC 4180 quoting), or nil for a malformed one.
    static func firstField(_ line: String) -> String? {
        guard line.first == "\"" else { return String(line.prefix { $0 != "," }) }
        var out = "", chars = line.dropFirst().makeIterator()
        while let c = chars.next() {
            if c == "\"" {
                guard let n = chars.next() else { return out }
                if n == "\"" { out.append("\"") } else { return n == "," ? out : nil }
            } else {
                out.append(c)
            }
        }
        return nil
    }

    func screen() throws {
        let nThreads = try threadCount(threads)
        guard topSites >= 0 else { throw X3Error(.invalidArgument, "--top-sites \(topSites): give 0 or more") }
        guard sliceWindows >= 1 else { throw X3Error(.invalidArgument, "--slice-windows \(sliceWindows): give 1 or more") }
        guard !(resume && force) else { throw X3Error(.invalidArgument, "--resume and --force exclude each other") }
        let modelPath = try ModelSearchPath.resolve(model)
        let m = try ModelFile.loadEnsemble(path: modelPath)
        let targets = m.config.targets, spread = m.count > 1
        let strong = try targets.indices.map { try strongEnd(nil, card: m.card, targets: [$0]) }

        var files = try InputFiles.cifPaths(inputs)
        var seen: [String: String] = [:]
        for f in files {
            let id = InputFiles.id(f)
            guard !id.contains(where: { $0 == "\n" || $0 == "\r" }) else { throw X3Error(.invalidArgument, "\(f): a line break in the name") }
            if let other = seen.updateValue(f, forKey: id) {
                throw X3Error(.invalidArgument, "\(other) and \(f) have the same name '\(id)'; names identify rows")
            }
        }
        if let shard {
            let (i, n) = try Self.parseShard(shard)
            files = stride(from: i, to: files.count, by: n).map { files[$0] }
        }

        // The output files, new or continued. Rows are written in input order and the
        // OUTPUT (or failures) row of a structure last, so on resume every other file
        // is cut back to the structures those two record.
        let failurePath = failures ?? Self.sibling(output, ".failures.csv")
        let sitePath = topSites > 0 ? sites ?? Self.sibling(output, ".sites.csv") : nil
        let outHeader = (["id", "path", "windows", "evaluated"] + PredictionTables.targetColumns(targets, spread: spread))
            .joined(separator: ",")
        let failHeader = "id,path,status,reason"
        let siteHeader = "id,target,rank,hash,contribution,windows,share"
        let windowHeader = PredictionTables.contributionsHeader(targets: targets, spread: spread)
        let named: [(String?, String)] = [(output, outHeader), (failurePath, failHeader), (sitePath, siteHeader),
                                          (contributions, windowHeader)]
        let paths = named.compactMap(\.0)
        guard Set(paths).count == paths.count else { throw X3Error(.invalidArgument, "the output files must differ: \(paths)") }
        if !resume && !force {
            for p in paths where FileIO.isFile(p) {
                throw X3Error(.invalidArgument, "\(p) exists: --resume continues that screen, --force replaces it")
            }
        }
        var done = Set<String>()
        func open(_ path: String, _ header: String, recordsDone: Bool) throws -> AppendFile {
            if resume && FileIO.isFile(path) {
                // a file of another screen (another model, another kind of file) is refused
                // before anything in it is cut
                // (a header cut short by a kill is a prefix of this one, and is rewritten)
                if let first = try AppendFile.firstLine(path: path), first != header, !header.hasPrefix(first) {
                    throw X3Error(.invalidArgument, "\(path): its first line is not '\(header)'; it is not this screen's file")
                }
                let (f, kept) = try AppendFile.reopen(path: path) { index, line in
                    guard index > 0 else { return true }
                    guard let id = Self.firstField(String(line)) else { return false }
                    if recordsDone { done.insert(id); return true }
                    return done.contains(id)
                }
                if kept == 0 { try f.append(header + "\n") }
                return f
            }
            let f = try AppendFile(path: path, truncate: true)
            try f.append(header + "\n")
            return f
        }
        let out = try open(output, outHeader, recordsDone: true)
        let failed = try open(failurePath, failHeader, recordsDone: true)
        let siteFile = try sitePath.map { try open($0, siteHeader, recordsDone: false) }
        let windowFile = try contributions.map { try open($0, windowHeader, recordsDone: false) }
        let todo = files.filter { !done.contains(InputFiles.id($0)) }
        let previously = files.count - todo.count

        print("model \(modelPath): \(targets.joined(separator: ", ")); windows R = \(fixed(m.config.windowRadius, 2)) Å, "
              + "step \(fixed(m.config.windowStep, 2)) Å")
        print("\(files.count) structures" + (shard.map { " (shard \($0))" } ?? "")
              + (previously > 0 ? ", \(previously) done before, \(todo.count) to go" : "") + "; writing \(output)")
        screenInterrupted = 0
        let handler: @convention(c) (Int32) -> Void = { _ in screenInterrupted = 1 }
        let oldInt = signal(SIGINT, handler), oldTerm = signal(SIGTERM, handler)
        defer { signal(SIGINT, oldInt); signal(SIGTERM, oldTerm) }

        let progress = Progress(total: files.count, label: "structures", already: previously)
        let engine = InferenceEngine(ensemble: m, symmetry: try symmetry.options(), threads: nThreads, sliceWindows: sliceWindows)
        var nOK = 0, nFailed = 0, windows = 0
        let t0 = monotonicSeconds()
        var inFlight: [Int: Structure] = [:]  // for the sites' bond graphs
        let emitted = try engine.stream(count: todo.count, load: { i in
            let s = try CIFReader.read(path: todo[i])
            if topSites > 0 { inFlight[i] = s }
            return (s, InputFiles.id(todo[i]))
        }, emit: { i, result in
            let path = todo[i], id = InputFiles.id(path)
            defer { inFlight[i] = nil }
            switch result {
            case .success(let p):
                if let windowFile { try windowFile.append(PredictionTables.contributionsRows(p).map { $0 + "\n" }.joined()) }
                if let siteFile { try siteFile.append(try siteRows(p, inFlight[i]!, strong: strong, threads: nThreads)) }
                try out.append(([csvField(id), csvField(path), String(p.windows.count), String(p.orbits.count)]
                                + PredictionTables.valueFields(p.property, p.propertyStd)).joined(separator: ",") + "\n")
                nOK += 1
                windows += p.orbits.count
            case .failure(let e):
                try failed.append([csvField(id), csvField(path), e.status.cName, csvField(e.message)].joined(separator: ",") + "\n")
                progress.note("failed: \(e.message)")
                nFailed += 1
            }
            progress.update(previously + i + 1)
        }, shouldStop: { screenInterrupted != 0 })
        progress.finish()
        let dt = monotonicSeconds() - t0
        print("\(nOK) structures screened, \(nFailed) failed, in \(duration(dt)) "
              + "(\(fixed(Double(emitted) / max(dt, 1e-9), 2)) structures/s, \(fixed(Double(windows) / max(dt, 1e-9), 1)) windows/s evaluated)")
        if nFailed > 0 { print("failures and their reasons: \(failurePath)") }
        if emitted < todo.count {
            printError("interrupted: \(todo.count - emitted) structures not screened; run the same command with --resume to continue")
            throw ExitCode(130)
        }
    }

    /// The `topSites` strongest sites of a structure per target, as rows of the sites file.
    func siteRows(_ p: StructurePrediction, _ s: Structure, strong: [StrongEnd], threads: Int) throws -> String {
        let removal = try SiteGraphOptions.removal(remove, for: s)
        let catalogue = try SiteCatalogue(p, removal: removal, threads: threads)
        var rows = ""
        for (t, name) in p.targets.enumerated() {
            let total = p.property[t] * Double(p.windows.count)
            for (r, site) in try catalogue.ranked(by: t, top: topSites, lowest: strong[t] == .low).enumerated() {
                let mean = site.stats[t].mean
                let share = total != 0 ? mean * Double(site.count) / total : .nan
                rows += [csvField(p.id), csvField(name), String(r + 1), site.hash, "\(mean)", String(site.count), "\(share)"]
                    .joined(separator: ",") + "\n"
            }
        }
        return rows
    }
}
