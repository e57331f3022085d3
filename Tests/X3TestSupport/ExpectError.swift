import Testing
import X3Core

/// Expects `body` to throw an `X3Error` with `status` whose message contains every one of
/// `words`; records an issue (at the caller's line) otherwise.
public func expectX3Error<R>(_ status: X3Status, mentioning words: [String],
                             sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> R) {
    do {
        _ = try body()
        Issue.record("expected \(status.cName), got success", sourceLocation: sourceLocation)
    } catch let e as X3Error {
        #expect(e.status == status, "\(e.message)", sourceLocation: sourceLocation)
        for w in words { #expect(e.message.contains(w), "'\(w)' not in: \(e.message)", sourceLocation: sourceLocation) }
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}
