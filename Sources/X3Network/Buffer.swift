import X3Core
#if canImport(Glibc)
import Glibc
#endif

/// A heap buffer of scalars with a stable address, for activations kept between the
/// forward and backward passes (no copy-on-write, no nested `withUnsafe…` closures).
/// Zero-filled on creation, unless made `uninitialized`.
///
/// Memory is recycled: a released buffer's block goes to a process-wide pool (size
/// classes of powers of two bytes) and is handed to the next buffer of that class. A
/// training step allocates the same large activations every time; taking them fresh from
/// the kernel cost a page fault per 4 KiB (measured: a fifth of a batch-32 forward
/// pass). `BufferPool.trim()` returns the pool's memory to the system.
public final class Buffer<T: NetworkScalar>: @unchecked Sendable {
    public let count: Int
    public let p: UnsafeMutablePointer<T>
    private let bytes: Int

    public convenience init(_ count: Int) {
        self.init(uninitialized: count)
        p.update(repeating: 0, count: max(count, 1))
    }

    /// A buffer whose contents are whatever its recycled block held: only for outputs
    /// that the next operation overwrites entirely (a GEMM with beta 0, a copy, a layer's
    /// `forward`), which saves the zero-fill.
    /// With $X3MAT_POISON_BUFFERS set (the test suite sets it), such buffers start as
    /// NaN, so that a value read before it is written shows in every result.
    public init(uninitialized count: Int) {
        self.count = count
        let raw = BufferPool.take(bytes: max(count, 1) * MemoryLayout<T>.stride)
        bytes = raw.1
        p = raw.0.bindMemory(to: T.self, capacity: max(count, 1))
        if BufferPool.poison { p.update(repeating: .nan, count: max(count, 1)) }
    }

    public convenience init(_ values: [T]) {
        self.init(uninitialized: values.count)
        values.withUnsafeBufferPointer { if let b = $0.baseAddress { p.update(from: b, count: values.count) } }
    }

    deinit { BufferPool.give(UnsafeMutableRawPointer(p), bytes: bytes) }

    public var array: [T] { Array(UnsafeBufferPointer(start: p, count: count)) }
    public func zero() { p.update(repeating: 0, count: count) }
    public subscript(i: Int) -> T {
        get { p[i] }
        set { p[i] = newValue }
    }
}

/// The free blocks of `Buffer`, by size class.
public enum BufferPool {
    private static let free = ForkSafeMutex<[Int: [UInt]]>([:])  // addresses, by size class
    /// $X3MAT_POISON_BUFFERS: uninitialized buffers start as NaN (see Buffer).
    static let poison = getenv("X3MAT_POISON_BUFFERS") != nil

    static func sizeClass(_ bytes: Int) -> Int {
        var c = 64
        while c < bytes { c <<= 1 }
        return c
    }

    static func take(bytes: Int) -> (UnsafeMutableRawPointer, Int) {
        let c = sizeClass(bytes)
        let reused: UInt? = free.withLock { pool in
            guard var list = pool[c], let last = list.popLast() else { return nil }
            pool[c] = list
            return last
        }
        if let reused, let p = UnsafeMutableRawPointer(bitPattern: reused) { return (p, c) }
        return (.allocate(byteCount: c, alignment: 64), c)
    }

    static func give(_ p: UnsafeMutableRawPointer, bytes c: Int) {
        let address = UInt(bitPattern: p)
        free.withLock { $0[c, default: []].append(address) }
    }

    /// Frees every pooled block.
    public static func trim() {
        let blocks = free.withLock { pool -> [UInt] in
            let all = pool.values.flatMap { $0 }
            pool = [:]
            return all
        }
        for b in blocks { UnsafeMutableRawPointer(bitPattern: b)?.deallocate() }
    }
}
