import ArgumentParser
import CX3Support

struct RuntimeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runtime",
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
