import ArgumentParser
import CX3Support
import X3Core

@main
struct X3Mat: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "x3mat",
        abstract: "Interpretable, symmetry-aware machine learning for nanoporous materials.",
        discussion: """
            Lengths are in Å, angles in degrees, densities in g/cm³.
            Example: x3mat info ../shared/data/iza/cif/LTA.cif
            """,
        version: "\(X3Version.string)",
        subcommands: [Info.self, Convert.self, WindowsCommand.self, SitesCommand.self, TrainCommand.self, PredictCommand.self, EvaluateCommand.self, ExplainCommand.self, Runtime.self]
    )
}

func fixed(_ x: Double, _ d: Int) -> String { formatFixed(x, d) }
func printError(_ s: String) { printToStandardError(s) }

/// Runs a command's body: an X3Error is printed as "error: message" and exits with 1.
func exitingOnError(_ body: () throws -> Void) throws {
    do { try body() } catch let e as X3Error {
        printError("error: \(e.message)")
        throw ExitCode(1)
    }
}

/// The --threads value, or the default (X3MAT_NUM_THREADS or the CPU count); at least 1.
func threadCount(_ option: Int?) throws -> Int {
    let n = option ?? X3Threads.count
    guard n >= 1 else { throw X3Error(.invalidArgument, "--threads must be at least 1") }
    return n
}

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read CIF files and print formula, cell, volume, density and warnings.")

    @Argument(help: "CIF files to read.")
    var files: [String]

    @Option(help: "Data block to read (name without 'data_'); default: the first block.")
    var block: String?

    @Flag(help: "Also print every atom (label, element, fractional x y z).")
    var atoms = false

    func run() throws {
        var failures = 0
        for path in files {
            do {
                let s = try CIFReader.read(path: path, options: CIFReadOptions(block: block))
                let p = s.lattice.parameters
                print("\(path)")
                print("  name      \(s.name)")
                print("  formula   \(s.formula)   (\(s.count) atoms in the cell)")
                print("  cell      a=\(fixed(p.a, 4)) b=\(fixed(p.b, 4)) c=\(fixed(p.c, 4)) Å   "
                      + "alpha=\(fixed(p.alpha, 3)) beta=\(fixed(p.beta, 3)) gamma=\(fixed(p.gamma, 3))°")
                print("  volume    \(fixed(s.lattice.volume, 3)) Å³")
                print("  density   \(fixed(s.density, 4)) g/cm³")
                for w in s.warnings { print("  warning   \(w)") }
                if atoms {
                    for i in 0..<s.count {
                        let f = s.fractionalPositions[i]
                        print("  \(s.labels[i])\t\(Elements.all[s.atomicNumbers[i] - 1].symbol)\t"
                              + "\(fixed(f.x, 6)) \(fixed(f.y, 6)) \(fixed(f.z, 6))")
                    }
                }
            } catch let e as X3Error {
                failures += 1
                printError("error: \(e.message)")
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read a CIF (expanding its symmetry) and write it as a P1 CIF.")

    @Argument(help: "Input CIF.") var input: String
    @Argument(help: "Output CIF (written atomically).") var output: String
    @Option(help: "Data block to read; default: the first.") var block: String?

    func run() throws {
        do {
            let s = try CIFReader.read(path: input, options: CIFReadOptions(block: block))
            try CIFWriter.write(s, path: output)
            print("wrote \(output): \(s.formula), \(s.count) atoms")
        } catch let e as X3Error {
            printError("error: \(e.message)")
            throw ExitCode(1)
        }
    }
}

struct Runtime: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the dense linear algebra in use (OpenBLAS, kernel family, threads).")

    func run() throws {
        guard x3s_blas_load() == 0 else {
            printError("error: \(String(cString: x3s_blas_error()))")
            throw ExitCode(1)
        }
        print("OpenBLAS library  \(String(cString: x3s_blas_library()))")
        print("kernel family     \(String(cString: x3s_blas_corename()))")
        print("chosen by         \(String(cString: x3s_blas_coretype_source()))")
        print("threads           \(x3s_blas_get_threads())")
    }
}
