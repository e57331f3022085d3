// libx3mat benchmark harness. Prints one result line per measurement.
//
//   swift run -c release x3mat-bench cif [DATA_DIR]   CIF reading: structures/s and atoms/s per dataset
//   swift run -c release x3mat-bench sgemm [N]        sgemm GFLOP/s through libx3mat's OpenBLAS loader
//   swift run -c release x3mat-bench windows [DATA]   window sampling vs the brute-force reference
//   swift run -c release x3mat-bench network CONFIG DATASET [BATCH]   network windows/s (see NetworkBench.swift)
//   swift run -c release x3mat-bench peer CONFIG BATCH [WARMUP TIMED]  as ../shared/peer measures (benchmarks/peer.sh)
//   swift run -c release x3mat-bench train DATASET [STEPS]            trainer steps/s, windows/s (TrainingBench.swift)
//   swift run -c release x3mat-bench explain [DATA_DIR]               explanation vs prediction time (ExplainBench.swift)
//   swift run -c release x3mat-bench kernels [ROWS]                   SiLU and S2 activation kernels (KernelBench.swift)
//
// benchmarks/run.sh runs both, sgemm once with libx3mat's kernel choice and once forced
// to OpenBLAS's generic fallback (Prescott), so the ratio comes from one run.
import CX3Support
import X3Core
#if canImport(Glibc)
import Glibc
#endif

func now() -> Double { monotonicSeconds() }

func peakRSSMiB() -> Double {
    var u = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
    return Double(u.ru_maxrss) / 1024
}

func listCIFs(_ dir: String) -> [String] {
    ((try? FileIO.list(directory: dir, suffix: ".cif")) ?? []).map { dir + "/" + $0 }
}

let args = CommandLine.arguments
let mode = args.count > 1 ? args[1] : "cif"

switch mode {
case "cif":
    let data = args.count > 2 ? args[2] : "../shared/data"
    for set in ["iza", "qmof", "coremof", "hmof_toy"] {
        let files = listCIFs("\(data)/\(set)/cif")
        guard !files.isEmpty else { print("cif \(set): no files under \(data)"); continue }
        var atoms = 0, failed = 0
        let t0 = now()
        for f in files {
            if let s = try? CIFReader.read(path: f) { atoms += s.count } else { failed += 1 }
        }
        let dt = now() - t0
        print("cif \(set): \(files.count) files, \(atoms) atoms after expansion, \(failed) failed, "
              + "\(formatFixed(dt, 3)) s = \(formatFixed(Double(files.count) / dt, 0)) structures/s, "
              + "\(formatFixed(Double(atoms) / dt / 1e6, 3)) M atoms/s")
    }
    print("peak RSS \(formatFixed(peakRSSMiB(), 1)) MiB")
case "sgemm":
    let n = args.count > 2 ? Int(args[2]) ?? 2048 : 2048
    guard x3s_blas_load() == 0 else { print("error: \(String(cString: x3s_blas_error()))"); exit(1) }
    x3s_blas_set_threads(Int32(X3Threads.count))  // libx3mat keeps OpenBLAS at 1; this measures the library's peak
    var a = [Float](repeating: 0, count: n * n), b = a, c = a
    for i in 0..<(n * n) { a[i] = Float(i % 7) / 7; b[i] = Float(i % 5) / 5 }
    func gemm() { x3s_sgemm(0, 0, Int32(n), Int32(n), Int32(n), 1, a, Int32(n), b, Int32(n), 0, &c, Int32(n)) }
    gemm()
    let reps = 5
    let t0 = now()
    for _ in 0..<reps { gemm() }
    let dt = now() - t0
    let gflops = 2 * Double(n) * Double(n) * Double(n) * Double(reps) / dt / 1e9
    print("sgemm n=\(n): \(formatFixed(gflops, 1)) GFLOP/s, core \(String(cString: x3s_blas_corename())) "
          + "(chosen by \(String(cString: x3s_blas_coretype_source()))), \(x3s_blas_get_threads()) threads")
case "network":
    do {
        let config = args.count > 2 ? args[2] : "default", dataset = args.count > 3 ? args[3] : "zeolite"
        let size = args.count > 4 ? Int(args[4]) ?? 16 : 16
        try benchNetwork(data: "../shared/data", configName: config, dataset: dataset, batchSize: size)
    } catch {
        print("error: \(error)")
        exit(1)
    }
case "peer":
    do {
        let config = args.count > 2 ? args[2] : "small"
        let size = args.count > 3 ? Int(args[3]) ?? 8 : 8
        let warmup = args.count > 4 ? Int(args[4]) ?? 2 : 2, timed = args.count > 5 ? Int(args[5]) ?? 5 : 5
        try benchPeer(data: "../shared/data", configName: config, batchSize: size, warmup: warmup, timed: timed)
    } catch {
        print("error: \(error)")
        exit(1)
    }
case "train":
    do {
        try benchTraining(data: "../shared/data", dataset: args.count > 2 ? args[2] : "iza",
                          steps: args.count > 3 ? Int(args[3]) ?? 20 : 20)
    } catch {
        print("error: \(error)")
        exit(1)
    }
case "explain":
    do { try benchExplain(data: args.count > 2 ? args[2] : "../shared/data") } catch {
        print("error: \(error)")
        exit(1)
    }
case "kernels":
    do { try benchKernels(rows: args.count > 2 ? Int(args[2]) ?? 4096 : 4096) } catch {
        print("error: \(error)")
        exit(1)
    }
case "windows":
    do { try benchWindows(data: args.count > 2 ? args[2] : "../shared/data") } catch {
        print("error: \(error)")
        exit(1)
    }
default:
    print("usage: x3mat-bench cif [DATA_DIR] | sgemm [N] | windows [DATA_DIR] | network CONFIG DATASET [BATCH] | peer CONFIG BATCH [WARMUP TIMED] | train DATASET [STEPS] | explain [DATA_DIR] | kernels [ROWS]")
    exit(2)
}
