// The process-wide pool of worker threads behind `parallelFor`.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Worker threads created once and kept for the life of the process: `parallelFor` posts
/// a job, idle workers join it, and the calling thread works on it too. A host that calls
/// the library many times (a Monte Carlo code asking for predictions every few moves)
/// therefore starts no new thread per call.
///
/// Properties:
/// - A job runs on at most `threads` threads, the caller included; workers are created
///   lazily, up to `X3Threads.maxCount - 1`.
/// - Concurrent jobs (different host threads) and nested jobs (a task that calls
///   `parallelFor`) cannot deadlock: every caller works through its own job's tasks, and
///   only waits for tasks that helpers have already started.
/// - After `fork()` the child starts with an empty pool (its workers were not copied).
enum WorkerPool {
    /// A posted job and the bookkeeping of the threads working on it.
    final class Job: @unchecked Sendable {
        let tasks: Int
        let body: @Sendable (Int) -> Void
        let next = Atomic<Int>(0)
        let maxHelpers: Int
        var helpers = 0  // guarded by the pool's mutex
        var inQueue = true  // guarded by the pool's mutex

        init(tasks: Int, helpers: Int, body: @escaping @Sendable (Int) -> Void) {
            self.tasks = tasks
            self.maxHelpers = helpers
            self.body = body
        }

        /// Takes tasks from the shared counter until none is left.
        func run() {
            while true {
                let t = next.add(1, ordering: .relaxed).oldValue
                if t >= tasks { return }
                body(t)
            }
        }

        var exhausted: Bool { next.load(ordering: .relaxed) >= tasks }
    }

    /// The pool's shared state; every field is guarded by `mutex`.
    private final class State: @unchecked Sendable {
        let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        let work = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)  // a job was posted
        let done = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)  // a helper left a job
        var queue: [Job] = []
        var workers = 0
        var idle = 0  // workers not helping with a job (waiting, or started and not yet waiting)

        init() { reset() }

        /// Fresh synchronisation objects and an empty pool (at start and in a forked child).
        func reset() {
            pthread_mutex_init(mutex, nil)
            pthread_cond_init(work, nil)
            pthread_cond_init(done, nil)
            queue = []
            workers = 0
            idle = 0
        }

        func lock() { pthread_mutex_lock(mutex) }
        func unlock() { pthread_mutex_unlock(mutex) }
    }

    private static let state: State = {
        let s = State()
        pthread_atfork(nil, nil, { WorkerPool.state.reset() })
        return s
    }()

    /// Runs `body(t)` for every t in 0..<tasks on the caller and up to `threads - 1` workers.
    static func run(tasks: Int, threads: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let s = state
        let job = Job(tasks: tasks, helpers: threads - 1, body: body)
        s.lock()
        s.queue.append(job)
        let missing = max(0, min(threads - 1, X3Threads.maxCount - 1) - s.idle)
        let canStart = max(0, X3Threads.maxCount - 1 - s.workers)
        for _ in 0..<min(missing, canStart) where startWorker() {
            s.workers += 1
            s.idle += 1
        }
        pthread_cond_broadcast(s.work)
        s.unlock()

        job.run()

        s.lock()
        if job.inQueue { remove(job) }
        while job.helpers > 0 { pthread_cond_wait(s.done, s.mutex) }
        s.unlock()
    }

    /// Removes a job from the queue (mutex held).
    private static func remove(_ job: Job) {
        state.queue.removeAll { $0 === job }
        job.inQueue = false
    }

    /// Starts one detached worker thread; false if the system refused.
    private static func startWorker() -> Bool {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var thread = pthread_t()
        return pthread_create(&thread, &attributes, { _ in WorkerPool.workerLoop() }, nil) == 0
    }

    /// A worker: waits for a job with room for a helper, works on it, repeats. A worker
    /// counts as idle from its creation until it joins a job, and again after it leaves
    /// one, so a caller never starts a worker while an existing one is free.
    private static func workerLoop() -> UnsafeMutableRawPointer? {
        let s = state
        s.lock()
        while true {
            // jobs with no task left are dropped; the first with room for a helper is taken
            for j in s.queue where j.exhausted { remove(j) }
            guard let job = s.queue.first(where: { $0.helpers < $0.maxHelpers }) else {
                pthread_cond_wait(s.work, s.mutex)
                continue
            }
            job.helpers += 1
            s.idle -= 1
            s.unlock()
            job.run()
            s.lock()
            job.helpers -= 1
            s.idle += 1
            if job.inQueue { remove(job) }
            pthread_cond_broadcast(s.done)
        }
    }
}
