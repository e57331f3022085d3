import Synchronization
import X3Core

/// Time and floating-point operations spent in sgemm, and the operations of the fused
/// kernels that replace GEMMs (the S2 activation's), for the benchmark harness. Off by
/// default (a relaxed load per call when off). Totals are over all threads, so with
/// data-parallel workers the time is summed thread time.
public enum GEMMStats {
    nonisolated(unsafe) public static var enabled = false
    static let nanoseconds = Atomic<Int>(0), flopCount = Atomic<Int>(0), calls = Atomic<Int>(0)
    static let kernelFlopCount = Atomic<Int>(0)

    static func clock() -> Int { Int(monotonicSeconds() * 1e9) }

    static func record(ns: Int, flops: Int) {
        nanoseconds.add(ns, ordering: .relaxed)
        flopCount.add(flops, ordering: .relaxed)
        calls.add(1, ordering: .relaxed)
    }

    /// A fused kernel's floating-point operations (a multiply-add counts 2; SiLU's exp
    /// counts nothing).
    static func recordKernel(flops: Int) {
        kernelFlopCount.add(flops, ordering: .relaxed)
    }

    public static func reset() {
        nanoseconds.store(0, ordering: .relaxed); flopCount.store(0, ordering: .relaxed); calls.store(0, ordering: .relaxed)
        kernelFlopCount.store(0, ordering: .relaxed)
    }

    /// (seconds in sgemm summed over threads, sgemm's floating-point operations, calls,
    /// the fused kernels' floating-point operations).
    public static var totals: (seconds: Double, flops: Double, calls: Int, kernelFlops: Double) {
        (Double(nanoseconds.load(ordering: .relaxed)) * 1e-9, Double(flopCount.load(ordering: .relaxed)),
         calls.load(ordering: .relaxed), Double(kernelFlopCount.load(ordering: .relaxed)))
    }
}
