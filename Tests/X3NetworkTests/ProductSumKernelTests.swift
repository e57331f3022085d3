import CX3Support
import Testing
import X3Network
import X3TestSupport

/// The elementwise product and sum kernels (elementwise.c) against their straightforward
/// loops: in Float at every vector width this CPU has, bit for bit (each element is one
/// IEEE operation, a column sum adds its rows in order), on random inputs whose lengths
/// leave partial vectors; and the same operations through `NetworkScalar` in Float and in
/// Double against sums taken in Double.
struct ProductSumKernelTests {
    static func random(_ n: Int, _ rng: inout SplitMix) -> [Float] {
        (0..<n).map { _ in Float(Double.random(in: -3...3, using: &rng)) }
    }

    @Test(arguments: [1, 15, 16, 17, 67, 1003])
    func kernelsGiveThePlainLoopsBitsAtEveryWidth(count n: Int) {
        var rng = SplitMix(state: UInt64(n))
        let a = Self.random(n, &rng), b = Self.random(n, &rng), y0 = Self.random(n, &rng)
        // the plain loops, in Float
        let mul = zip(a, b).map { $0 * $1 }
        let mulAdd = (0..<n).map { y0[$0] + a[$0] * b[$0] }
        let add = (0..<n).map { y0[$0] + a[$0] }
        // column sums: 5 rows of n columns, stride n + 3
        let rows = 5, ld = n + 3
        let x = Self.random(rows * ld, &rng)
        var sums = y0
        for r in 0..<rows { for j in 0..<n { sums[j] = sums[j] + x[r * ld + j] } }
        for width in [4, 8, 16] {
            var y = [Float](repeating: 0, count: n)
            guard x3s_elementwise_at_width(Int32(width), 0, a, b, 1, Int64(n), 0, &y) != 0 else { continue }
            #expect(y.map(\.bitPattern) == mul.map(\.bitPattern), "mul, width \(width)")
            y = y0
            _ = x3s_elementwise_at_width(Int32(width), 1, a, b, 1, Int64(n), 0, &y)
            #expect(y.map(\.bitPattern) == mulAdd.map(\.bitPattern), "mul_add, width \(width)")
            y = y0
            _ = x3s_elementwise_at_width(Int32(width), 2, a, nil, 1, Int64(n), 0, &y)
            #expect(y.map(\.bitPattern) == add.map(\.bitPattern), "add, width \(width)")
            y = y0
            _ = x3s_elementwise_at_width(Int32(width), 3, x, nil, Int64(rows), Int64(n), Int64(ld), &y)
            #expect(y.map(\.bitPattern) == sums.map(\.bitPattern), "sum_rows, width \(width)")
        }
        // a width this CPU lacks, or no width at all, is refused
        var y = [Float](repeating: 0, count: n)
        #expect(x3s_elementwise_at_width(3, 0, a, b, 1, Int64(n), 0, &y) == 0)
    }

    /// `NetworkScalar`'s multiply, multiplyAdd, add and sumRows in Float (the kernels) and in
    /// Double (plain loops) against the same operations in Double on the same inputs.
    @Test func networkScalarOperationsMatchDoubleArithmetic() {
        func check<T: NetworkScalar>(_: T.Type, tolerance: Double) {
            var rng = SplitMix(state: 5)
            let n = 301, rows = 7, ld = 305
            let a = (0..<n).map { _ in Double.random(in: -2...2, using: &rng) }
            let b = (0..<n).map { _ in Double.random(in: -2...2, using: &rng) }
            let y0 = (0..<n).map { _ in Double.random(in: -2...2, using: &rng) }
            let x = (0..<(rows * ld)).map { _ in Double.random(in: -2...2, using: &rng) }
            let at = a.map { T($0) }, bt = b.map { T($0) }, xt = x.map { T($0) }
            let ad = at.map { Double($0) }, bd = bt.map { Double($0) }, yd = y0.map { Double(T($0)) }
            let xd = xt.map { Double($0) }
            var worst = 0.0
            func compare(_ got: [T], _ want: [Double]) {
                for (g, w) in zip(got, want) { worst = max(worst, abs(Double(g) - w) / max(1, abs(w))) }
            }
            var y = [T](repeating: 0, count: n)
            T.multiply(at, bt, count: n, into: &y)
            compare(y, (0..<n).map { ad[$0] * bd[$0] })
            y = y0.map { T($0) }
            T.multiplyAdd(at, bt, count: n, into: &y)
            compare(y, (0..<n).map { yd[$0] + ad[$0] * bd[$0] })
            y = y0.map { T($0) }
            T.add(at, count: n, into: &y)
            compare(y, (0..<n).map { yd[$0] + ad[$0] })
            y = y0.map { T($0) }
            T.sumRows(xt, rows: rows, columns: n, stride: ld, into: &y)
            compare(y, (0..<n).map { j in (0..<rows).reduce(yd[j]) { $0 + xd[$1 * ld + j] } })
            #expect(worst <= tolerance, "\(T.self): max relative error \(worst)")
        }
        check(Float.self, tolerance: 1e-6)  // a few float roundings of values below 16
        check(Double.self, tolerance: 1e-14)
    }
}
