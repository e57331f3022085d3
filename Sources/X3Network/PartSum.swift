import Synchronization

/// The parts' gradients added to a total in part order, each as soon as every earlier
/// part's is in: the sum does not depend on the thread count, and only the parts that
/// finished out of order wait in memory (their buffers come from the buffer pool, so a
/// training step does not fault fresh pages for them).
final class PartSum<T: NetworkScalar>: @unchecked Sendable {
    private let total: UnsafeMutablePointer<T>, count: Int
    // Swift's Mutex, not ForkSafeMutex: the lock lives for one backward pass only (a forked
    // child never meets it held), and the body releases buffers to the pool, which takes
    // the pool's ForkSafeMutex; nesting two of those could deadlock a fork.
    private let state = Mutex<(next: Int, waiting: [Int: Buffer<T>])>((0, [:]))

    init(total: UnsafeMutablePointer<T>, count: Int) {
        self.total = total
        self.count = count
    }

    func add(part i: Int, _ gradient: Buffer<T>) {
        state.withLock { s in
            s.waiting[i] = gradient
            while let g = s.waiting.removeValue(forKey: s.next) {
                T.add(g.p, count: count, into: total)
                s.next += 1
            }
        }
    }
}
