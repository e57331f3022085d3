// A parallel-for on POSIX threads, for work split into independent tasks.
// (No Foundation/Dispatch: libx3mat links the Swift runtime statically and keeps its
// dependencies to libc, libm, libdl and libpthread.)
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The number of threads libx3mat's own parallel loops use.
///
/// Default: `$X3MAT_NUM_THREADS` when set to a positive integer (at most `maxCount`),
/// otherwise the number of online CPUs. `set(_:)` overrides it for the whole process
/// (0 restores the default).
/// OpenBLAS's thread count is separate (see `x3_blas_info`).
public enum X3Threads {
    private static let override = Atomic<Int>(0)

    public static var count: Int {
        let o = override.load(ordering: .relaxed)
        return o > 0 ? o : defaultCount
    }

    public static func set(_ n: Int) { override.store(max(0, n), ordering: .relaxed) }

    /// The number of online CPUs.
    public static let processors: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    /// Most threads accepted: four per online CPU, at least 8. Every thread keeps its own
    /// work buffers, so a count far beyond the CPUs only multiplies memory.
    public static let maxCount: Int = max(8, 4 * processors)

    public static let defaultCount: Int = {
        if let e = getenv("X3MAT_NUM_THREADS"), let n = Int(String(cString: e)), n > 0 { return min(n, maxCount) }
        return processors
    }()
}

/// Runs `body(task)` for every task in 0..<tasks on up to `threads` threads: the calling
/// thread and workers of the process-wide `WorkerPool` (created once, then reused).
/// Tasks are handed out in increasing order from a shared counter, so uneven tasks
/// balance. `body` must be safe to call concurrently for different tasks.
/// Returns when all tasks are done.
public func parallelFor(tasks: Int, threads: Int = X3Threads.count, _ body: @escaping @Sendable (Int) -> Void) {
    guard tasks > 0 else { return }
    let nThreads = max(1, min(threads, tasks))
    if nThreads == 1 {
        for t in 0..<tasks { body(t) }
        return
    }
    WorkerPool.run(tasks: tasks, threads: nThreads, body)
}

/// Per-task results written by concurrent tasks and read after `parallelFor` returns.
/// Each slot must be written by one task only.
public final class TaskResults<T>: @unchecked Sendable {
    // A raw buffer, not an Array: concurrent writes to different slots of an Array
    // stored in a class would trip Swift's dynamic exclusivity checks.
    private let slots: UnsafeMutablePointer<T?>
    public let count: Int

    public init(count: Int) {
        self.count = count
        slots = .allocate(capacity: max(count, 1))
        slots.initialize(repeating: nil, count: count)
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    public subscript(i: Int) -> T? {
        get { precondition(i >= 0 && i < count); return slots[i] }
        set { precondition(i >= 0 && i < count); slots[i] = newValue }
    }
}
