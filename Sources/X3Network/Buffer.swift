/// A heap buffer of scalars with a stable address, for activations kept between the
/// forward and backward passes (no copy-on-write, no nested `withUnsafe…` closures).
/// Zero-filled on creation.
public final class Buffer<T: NetworkScalar>: @unchecked Sendable {
    public let count: Int
    public let p: UnsafeMutablePointer<T>

    public init(_ count: Int) {
        self.count = count
        p = .allocate(capacity: max(count, 1))
        p.initialize(repeating: 0, count: max(count, 1))
    }

    public convenience init(_ values: [T]) {
        self.init(values.count)
        for (i, v) in values.enumerated() { p[i] = v }
    }

    deinit { p.deallocate() }

    public var array: [T] { Array(UnsafeBufferPointer(start: p, count: count)) }
    public func zero() { p.update(repeating: 0, count: count) }
    public subscript(i: Int) -> T {
        get { p[i] }
        set { p[i] = newValue }
    }
}
