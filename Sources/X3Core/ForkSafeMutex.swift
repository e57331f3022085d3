// A mutex a host process may fork around.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value guarded by a mutex that survives `fork()`: a host (Python's multiprocessing,
/// a Fortran code calling `fork`) may fork while one of libx3mat's worker threads holds
/// the lock, and the child, which has no such thread, must still be able to take it.
///
/// Swift's `Synchronization.Mutex` records its owner's thread id on Linux, so in a child
/// forked while it was held it can be neither taken nor released. This one is a plain
/// pthread mutex registered with `pthread_atfork`: before a fork every registered mutex is
/// locked (so no value is mid-update), after it the parent unlocks them and the child
/// re-initialises them. Use it for process-wide state that worker threads touch.
///
/// A `withLock` body must not take another `ForkSafeMutex` (nor wait for a thread that
/// might): the fork takes them all, one after another, and nesting could deadlock it.
public final class ForkSafeMutex<Value>: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var value: Value

    public init(_ value: Value) {
        self.value = value
        pthread_mutex_init(mutex, nil)
        ForkRegistry.add(mutex)
    }

    deinit {
        ForkRegistry.remove(mutex)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value, the lock held.
    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}

/// The mutexes `fork()` must see unlocked, with the `pthread_atfork` handlers that see to it.
private enum ForkRegistry {
    /// Guards `mutexes`; itself re-initialised in the child.
    nonisolated(unsafe) static let lock: UnsafeMutablePointer<pthread_mutex_t> = {
        let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(m, nil)
        pthread_atfork({ ForkRegistry.prepare() }, { ForkRegistry.parent() }, { ForkRegistry.child() })
        return m
    }()
    nonisolated(unsafe) static var mutexes: [UnsafeMutablePointer<pthread_mutex_t>] = []

    static func add(_ m: UnsafeMutablePointer<pthread_mutex_t>) {
        pthread_mutex_lock(lock)
        mutexes.append(m)
        pthread_mutex_unlock(lock)
    }

    static func remove(_ m: UnsafeMutablePointer<pthread_mutex_t>) {
        pthread_mutex_lock(lock)
        mutexes.removeAll { $0 == m }
        pthread_mutex_unlock(lock)
    }

    /// Before fork: every mutex locked (none is held while another is taken, so any order
    /// is deadlock-free).
    static func prepare() {
        pthread_mutex_lock(lock)
        for m in mutexes { pthread_mutex_lock(m) }
    }

    static func parent() {
        for m in mutexes.reversed() { pthread_mutex_unlock(m) }
        pthread_mutex_unlock(lock)
    }

    /// In the child the locking thread no longer exists under its old id: fresh mutexes,
    /// unlocked, guarding values that no thread was changing.
    static func child() {
        for m in mutexes { pthread_mutex_init(m, nil) }
        pthread_mutex_init(lock, nil)
    }
}
