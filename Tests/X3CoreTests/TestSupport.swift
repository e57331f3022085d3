import Testing
@_exported import X3TestSupport

func expectClose(_ a: Double, _ b: Double, tol: Double, _ what: String = "",
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(abs(a - b) <= tol, "\(what): \(a) vs \(b) (tolerance \(tol))", sourceLocation: sourceLocation)
}
