import ArgumentParser
import CX3Support
import X3Core

@main
struct X3Mat: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "x3mat",
        abstract: "Interpretable, symmetry-aware machine learning for nanoporous materials.",
        discussion: """
            Lengths are in Å, angles in degrees, densities in g/cm³. Models are given
            by name (x3mat models lists them) or as a file, with --model/-m; output
            files and folders with --output/-o.

            Example: the Ar uptake of a zeolite (mol/kg) with the shipped model, and
            the sites that contribute most:
              x3mat predict LTA.cif
            """,
        version: "\(X3Version.string)",
        subcommands: [PredictCommand.self, ScreenCommand.self, ExplainCommand.self, SitesCommand.self, TrainCommand.self,
                      EvaluateCommand.self, ModelsCommand.self, InfoCommand.self, CardCommand.self, EnsembleCommand.self,
                      WindowsCommand.self,
                      ConvertCommand.self, RuntimeCommand.self, OptionsCommand.self]
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

/// The case of `E` a flag's word names; `invalidArgument` listing the words otherwise.
func choice<E: RawRepresentable & CaseIterable>(_ flag: String, _ word: String) throws -> E where E.RawValue == String {
    guard let value = E(rawValue: word) else {
        throw X3Error(.invalidArgument, "\(flag) '\(word)': use " + E.allCases.map(\.rawValue).joined(separator: " or "))
    }
    return value
}
