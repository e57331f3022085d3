/// An interval of allowed numbers, each end open or closed; NaN and infinities are
/// never inside. Written as in mathematics: "(0, 20]", "[0, 1)", "(0, ∞)".
public struct NumberRange: Sendable, CustomStringConvertible {
    public let lower: Double, upper: Double
    public let lowerOpen: Bool, upperOpen: Bool

    public init(lower: Double, lowerOpen: Bool = false, upper: Double = .infinity, upperOpen: Bool = false) {
        self.lower = lower; self.upper = upper; self.lowerOpen = lowerOpen; self.upperOpen = upperOpen || upper == .infinity
    }

    /// (lower, upper]
    public static func above(_ lower: Double, atMost upper: Double = .infinity) -> NumberRange {
        NumberRange(lower: lower, lowerOpen: true, upper: upper)
    }

    /// (lower, upper)
    public static func open(_ lower: Double, _ upper: Double) -> NumberRange {
        NumberRange(lower: lower, lowerOpen: true, upper: upper, upperOpen: true)
    }

    /// [lower, upper]
    public static func from(_ lower: Double, atMost upper: Double = .infinity) -> NumberRange {
        NumberRange(lower: lower, upper: upper)
    }

    /// [lower, upper)
    public static func from(_ lower: Double, below upper: Double) -> NumberRange {
        NumberRange(lower: lower, upper: upper, upperOpen: true)
    }

    public func contains(_ x: Double) -> Bool {
        x.isFinite && (lowerOpen ? x > lower : x >= lower) && (upperOpen ? x < upper : x <= upper)
    }

    public var description: String {
        func text(_ x: Double) -> String { x == .infinity ? "∞" : JSONValue.number(x).text }
        return (lowerOpen ? "(" : "[") + text(lower) + ", " + text(upper) + (upperOpen ? ")" : "]")
    }
}
