import CX3Support
import X3Core
#if canImport(Glibc)
import Glibc
#endif

/// The floating-point types the network runs in: `Float` for training and inference
/// (sgemm), `Double` for gradient checks (dgemm). Layers are generic over it.
public protocol NetworkScalar: BinaryFloatingPoint, Sendable {
    /// C = alpha op(A) op(B) + beta C, row-major (CBLAS semantics) through OpenBLAS.
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Self,
                     a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
                     beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
    static func exponential(_ x: Self) -> Self
    /// y = x σ(x) over `count` values (y may be x).
    static func silu(_ x: UnsafePointer<Self>, count: Int, into y: UnsafeMutablePointer<Self>)
    /// dx = dy σ(x)(1 + x(1 − σ(x))) over `count` values (dx may alias x or dy).
    static func siluBackward(_ x: UnsafePointer<Self>, _ dy: UnsafePointer<Self>, count: Int, dx: UnsafeMutablePointer<Self>)
    /// y = a b elementwise over `count` values (y may be a or b).
    static func multiply(_ a: UnsafePointer<Self>, _ b: UnsafePointer<Self>, count: Int, into y: UnsafeMutablePointer<Self>)
    /// y += a b elementwise (the product rounded, then the sum).
    static func multiplyAdd(_ a: UnsafePointer<Self>, _ b: UnsafePointer<Self>, count: Int, into y: UnsafeMutablePointer<Self>)
    /// y += a elementwise.
    static func add(_ a: UnsafePointer<Self>, count: Int, into y: UnsafeMutablePointer<Self>)
    /// y[j] += Σ_r x[r · stride + j] for j < columns, the rows r = 0, 1, … added in order.
    static func sumRows(_ x: UnsafePointer<Self>, rows: Int, columns: Int, stride: Int, into y: UnsafeMutablePointer<Self>)
    /// The fused S2 activation kernel, forward (dy nil: out = y) or backward (out = dx), for
    /// `rows` rows of [coefficients, channels]; false when this type has none, and the
    /// caller takes the GEMM path.
    static func s2Fused(_ plan: S2SeparablePlan, _ x: UnsafePointer<Self>, _ dy: UnsafePointer<Self>?, rows: Int,
                        channels: Int, into out: UnsafeMutablePointer<Self>) -> Bool
}

/// The same memory as Float, for the C kernels: only where `T` is Float.
@inline(__always) func floatPointer<T>(_ p: UnsafePointer<T>) -> UnsafePointer<Float> {
    UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
}
@inline(__always) func floatPointer<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
}

extension Float: NetworkScalar {
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                            a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        let t0 = GEMMStats.enabled ? GEMMStats.clock() : 0
        x3s_sgemm(transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                  beta, c, Int32(ldc))
        if GEMMStats.enabled { GEMMStats.record(ns: GEMMStats.clock() - t0, flops: 2 * m * n * k) }
    }
    @inlinable public static func exponential(_ x: Float) -> Float { expf(x) }
    /// CX3Support's vectorised kernels (vector_math.c): within half a float ulp.
    public static func silu(_ x: UnsafePointer<Float>, count: Int, into y: UnsafeMutablePointer<Float>) {
        x3s_silu_forward(x, Int64(count), y)
    }
    public static func siluBackward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, count: Int,
                                    dx: UnsafeMutablePointer<Float>) {
        x3s_silu_backward(x, dy, Int64(count), dx)
    }
    /// The elementwise loops run in CX3Support's vectorised kernels (elementwise.c), which
    /// give the bits of the plain loops.
    public static func multiply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int,
                                into y: UnsafeMutablePointer<Float>) {
        x3s_mul(a, b, Int64(count), y)
    }
    public static func multiplyAdd(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int,
                                   into y: UnsafeMutablePointer<Float>) {
        x3s_mul_add(a, b, Int64(count), y)
    }
    public static func add(_ a: UnsafePointer<Float>, count: Int, into y: UnsafeMutablePointer<Float>) {
        x3s_add(a, Int64(count), y)
    }
    public static func sumRows(_ x: UnsafePointer<Float>, rows: Int, columns: Int, stride: Int,
                               into y: UnsafeMutablePointer<Float>) {
        x3s_sum_rows(x, Int64(rows), Int64(columns), Int64(stride), y)
    }
    /// CX3Support's fused kernel (s2_activation.c).
    public static func s2Fused(_ plan: S2SeparablePlan, _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>?,
                               rows: Int, channels: Int, into out: UnsafeMutablePointer<Float>) -> Bool {
        plan.run(x, dy, rows: rows, channels: channels, into: out)
        return true
    }
}

extension Double: NetworkScalar {
    @inlinable public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double,
                                       a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                                       beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        if m == 0 || n == 0 { return }
        x3s_dgemm(transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                  beta, c, Int32(ldc))
    }
    @inlinable public static func exponential(_ x: Double) -> Double { exp(x) }
    /// The definition, with the C library's exp (what the Float kernels are tested against).
    public static func silu(_ x: UnsafePointer<Double>, count: Int, into y: UnsafeMutablePointer<Double>) {
        for i in 0..<count { y[i] = x[i] * (1 / (1 + exp(-x[i]))) }
    }
    public static func siluBackward(_ x: UnsafePointer<Double>, _ dy: UnsafePointer<Double>, count: Int,
                                    dx: UnsafeMutablePointer<Double>) {
        for i in 0..<count {
            let s = 1 / (1 + exp(-x[i]))
            dx[i] = dy[i] * s * (1 + x[i] * (1 - s))
        }
    }
    /// The plain loops (the definitions the Float kernels are tested against).
    public static func multiply(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, count: Int,
                                into y: UnsafeMutablePointer<Double>) {
        for i in 0..<count { y[i] = a[i] * b[i] }
    }
    public static func multiplyAdd(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, count: Int,
                                   into y: UnsafeMutablePointer<Double>) {
        for i in 0..<count { y[i] += a[i] * b[i] }
    }
    public static func add(_ a: UnsafePointer<Double>, count: Int, into y: UnsafeMutablePointer<Double>) {
        for i in 0..<count { y[i] += a[i] }
    }
    public static func sumRows(_ x: UnsafePointer<Double>, rows: Int, columns: Int, stride: Int,
                               into y: UnsafeMutablePointer<Double>) {
        for r in 0..<rows { for j in 0..<columns { y[j] += x[r * stride + j] } }
    }
    /// None: Double keeps the GEMM path, the straightforward version the tests compare with.
    public static func s2Fused(_ plan: S2SeparablePlan, _ x: UnsafePointer<Double>, _ dy: UnsafePointer<Double>?,
                               rows: Int, channels: Int, into out: UnsafeMutablePointer<Double>) -> Bool { false }
}

/// Loads OpenBLAS (once); throws `.dependency` with the reason when it cannot.
public func requireBLAS() throws {
    guard x3s_blas_load() == 0 else { throw X3Error(.dependency, String(cString: x3s_blas_error())) }
}

/// Named parameter tensors in one flat buffer, so optimisers, gradient buffers and model
/// files treat all parameters alike. Gradients use a second buffer of the same layout.
public struct ParameterStore<T: NetworkScalar>: Sendable {
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let shape: [Int]
        public let offset: Int
        public var count: Int { shape.reduce(1, *) }
    }

    public private(set) var entries: [Entry] = []
    private var names = Set<String>()
    public var values: [T] = []
    /// False for a store that only lays out the tensors (names, shapes, offsets) without
    /// holding values: how a configuration's size is known before anything is allocated.
    public let allocates: Bool

    public init(allocates: Bool = true) { self.allocates = allocates }

    /// Adds a tensor, filled by `initial(i)`; returns its offset.
    @discardableResult
    public mutating func add(_ name: String, shape: [Int], _ initial: (Int) -> T) -> Int {
        precondition(names.insert(name).inserted, "parameter \(name) added twice")
        let e = Entry(name: name, shape: shape, offset: count)
        entries.append(e)
        if allocates { values += (0..<e.count).map(initial) }
        return e.offset
    }

    /// Adds a tensor of values drawn uniformly from [-bound, bound], in order.
    @discardableResult
    public mutating func addUniform(_ name: String, shape: [Int], bound: Double,
                                    rng: inout some RandomNumberGenerator) -> Int {
        add(name, shape: shape) { _ in T(Double.random(in: -bound...bound, using: &rng)) }
    }

    public func entry(_ name: String) -> Entry? { entries.first { $0.name == name } }
    /// Number of parameters (also of a store that does not allocate).
    public var count: Int { entries.last.map { $0.offset + $0.count } ?? 0 }

    /// The same parameters in another precision.
    public func converted<U: NetworkScalar>(to: U.Type) -> ParameterStore<U> {
        var p = ParameterStore<U>(allocates: allocates)
        p.entries = entries.map { ParameterStore<U>.Entry(name: $0.name, shape: $0.shape, offset: $0.offset) }
        p.names = names
        p.values = values.map { U($0) }
        return p
    }
}
