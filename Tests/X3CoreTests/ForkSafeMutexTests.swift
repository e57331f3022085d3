#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing
import X3Core

/// `ForkSafeMutex` across `fork()`: a child forked while another thread of the parent
/// holds the lock can take it, and sees the value as that thread left it when it let go
/// (the fork waits for the lock), never half-way. With Swift's `Mutex` the child dies
/// ("Unknown error occurred while attempting to acquire a Mutex"), as a Python host's
/// forked child did after a prediction.
@Suite struct ForkSafeMutexTests {
    @Test func aChildForkedWhileAnotherThreadHoldsTheLockCanTakeIt() throws {
        let state = ForkSafeMutex<Int>(0)
        let holder = Holder(state: state)
        var thread = pthread_t()
        let box = Unmanaged.passRetained(holder)
        #expect(pthread_create(&thread, nil, { raw in
            let h = Unmanaged<Holder>.fromOpaque(raw!).takeRetainedValue()
            h.state.withLock { v in
                v = 1  // half-way
                h.holding.store(true, ordering: .releasing)
                usleep(200_000)
                v = 2  // done
            }
            return nil
        }, box.toOpaque()) == 0)
        while !holder.holding.load(ordering: .acquiring) { usleep(1_000) }  // the other thread holds `state` now
        let pid = fork()
        if pid == 0 {
            // the child: take the lock (a thread of the parent held it), check the value
            let seen = state.withLock { v -> Int in v += 10; return v }
            _exit(seen == 12 ? 0 : 1)
        }
        #expect(pid > 0)
        var status: Int32 = 0, waited = 0
        while waitpid(pid, &status, WNOHANG) == 0 && waited < 500 {  // a child that cannot lock hangs
            usleep(10_000)
            waited += 1
        }
        if waited == 500 {
            kill(pid, SIGKILL)
            waitpid(pid, &status, 0)
            Issue.record("the forked child hung on the lock")
        }
        let exited = status & 0x7f == 0, code = (status >> 8) & 0xff
        #expect(exited && code == 0, "child status \(status)")
        pthread_join(thread, nil)
        #expect(state.withLock { $0 } == 2)  // the parent's value is the thread's
    }
}

/// What the holding thread needs.
private final class Holder: @unchecked Sendable {
    let state: ForkSafeMutex<Int>
    let holding = Atomic<Bool>(false)
    init(state: ForkSafeMutex<Int>) { self.state = state }
}
