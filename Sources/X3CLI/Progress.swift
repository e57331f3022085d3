import X3Core
#if canImport(Glibc)
import Glibc
#endif

/// Progress on standard error. On a terminal: a bar rewritten in place, with the count,
/// the rate and the time left. Otherwise (a log file, a batch job): a log line about
/// every 10 % of the work and at least every `logInterval` seconds. Notes (a skipped
/// file, a result) go on lines of their own.
final class Progress {
    let total: Int, label: String
    let tty = isatty(2) != 0
    /// When the work began (`monotonicSeconds`): by default when this was made.
    let start: Double
    /// Seconds between log lines when standard error is not a terminal.
    let logInterval: Double
    private var lastPercent = -1
    private var lastDraw = 0.0, lastLog = 0.0
    /// Work done before this run (a resumed job), not counted in the rate.
    private let already: Int

    /// `start`: when the work began, for a bar made on the first report of work already
    /// under way (by default now).
    init(total: Int, label: String, already: Int = 0, logInterval: Double = 60, start: Double = monotonicSeconds()) {
        self.total = total
        self.start = start
        self.label = label
        self.already = already
        self.logInterval = logInterval
    }

    /// Shortest elapsed time, s, from which a rate and a time left are shown: work that
    /// ends sooner would print a meaningless rate.
    static let minimumTimeForRate = 0.5

    func text(_ done: Int, now: Double) -> String {
        let elapsed = now - start
        guard elapsed >= Self.minimumTimeForRate else { return "\(done)/\(total) \(label), \(duration(elapsed)) elapsed" }
        let rate = Double(done - already) / elapsed
        let eta = rate > 0 ? Double(total - done) / rate : 0
        return "\(done)/\(total) \(label), \(rate >= 10 ? fixed(rate, 0) : fixed(rate, 2))/s, "
            + "\(duration(elapsed)) elapsed, ETA \(duration(eta))"
    }

    func update(_ done: Int) {
        let now = monotonicSeconds()
        if tty {
            guard now - lastDraw > 0.1 || done == total else { return }
            let width = 24, filled = total > 0 ? width * done / total : width
            let bar = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
            printToStandardError("\r" + bar + text(done, now: now) + "   ", newline: false)
            lastDraw = now
        } else {
            let percent = done * 10 / max(total, 1)
            guard percent != lastPercent || now - lastLog >= logInterval else { return }
            printError(text(done, now: now))
            lastPercent = percent
            lastLog = now
        }
    }

    func note(_ s: String) {
        if tty { printToStandardError("\r\u{1B}[K", newline: false) }
        printError(s)
    }

    func finish() { if tty { printToStandardError("\n", newline: false) } }
}
