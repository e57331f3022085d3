import ArgumentParser
import X3Core

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Read a CIF (expanding its symmetry) and write it as a P1 CIF.")

    @Argument(help: "Input CIF.") var input: String
    @Option(name: .shortAndLong, help: "Output CIF (written atomically).") var output: String
    @Option(help: "Data block to read (default: the first).") var block: String?

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
