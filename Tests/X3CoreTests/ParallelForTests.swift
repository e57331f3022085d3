import Synchronization
import Testing
import X3Core

/// `parallelFor` on the persistent worker pool: every task runs exactly once for any
/// thread count, and nested and concurrent calls finish (no deadlock) with the right
/// results. (That repeated calls start no new thread is checked from C, in a process with
/// one caller: Tests/c/test_host.c.)
@Suite struct ParallelForTests {
    /// Runs `tasks` tasks and returns how often each ran.
    private func runCounts(tasks: Int, threads: Int) -> [Int] {
        let counts = TaskResults<Int>(count: tasks)
        let hits = Atomic<Int>(0)
        parallelFor(tasks: tasks, threads: threads) { t in
            counts[t] = (counts[t] ?? 0) + 1
            hits.add(1, ordering: .relaxed)
        }
        #expect(hits.load(ordering: .relaxed) == tasks)
        return (0..<tasks).map { counts[$0] ?? 0 }
    }

    @Test(arguments: [1, 2, 3, 8, 32])
    func everyTaskRunsExactlyOnce(threads: Int) {
        for tasks in [0, 1, 2, 7, 1000] {
            #expect(runCounts(tasks: tasks, threads: threads).allSatisfy { $0 == 1 })
        }
    }

    @Test func nestedCallsFinishWithTheRightSums() {
        let sums = TaskResults<Int>(count: 16)
        parallelFor(tasks: 16, threads: 4) { outer in
            let inner = TaskResults<Int>(count: 50)
            parallelFor(tasks: 50, threads: 4) { i in inner[i] = outer * 1000 + i }
            sums[outer] = (0..<50).reduce(0) { $0 + inner[$1]! }
        }
        for outer in 0..<16 { #expect(sums[outer] == 50 * outer * 1000 + 49 * 50 / 2) }
    }

    @Test func concurrentCallersFromSeveralThreadsAllFinish() {
        let totals = TaskResults<Int>(count: 6)
        parallelFor(tasks: 6, threads: 6) { caller in
            let hits = Atomic<Int>(0)
            for _ in 0..<20 {
                parallelFor(tasks: 100, threads: 3) { _ in hits.add(1, ordering: .relaxed) }
            }
            totals[caller] = hits.load(ordering: .relaxed)
        }
        for caller in 0..<6 { #expect(totals[caller] == 2000) }
    }
}
