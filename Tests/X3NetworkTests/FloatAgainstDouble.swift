import X3Network

/// A row layer whose Float path is a C kernel and whose Double path is the loops that
/// define it, run the same way in both.
protocol FloatKernelLayer {
    func run<T: NetworkScalar>(_ x: UnsafePointer<T>, _ dy: UnsafePointer<T>, rows: Int, params: UnsafePointer<T>,
                               y: UnsafeMutablePointer<T>, grad: UnsafeMutablePointer<T>, dx: UnsafeMutablePointer<T>)
}

extension LayerNorm: FloatKernelLayer {
    func run<T: NetworkScalar>(_ x: UnsafePointer<T>, _ dy: UnsafePointer<T>, rows: Int, params: UnsafePointer<T>,
                               y: UnsafeMutablePointer<T>, grad: UnsafeMutablePointer<T>, dx: UnsafeMutablePointer<T>) {
        forward(x, rows: rows, params: params, into: y)
        backward(x, dy, rows: rows, params: params, grad: grad, dx: dx)
    }
}

extension EquivariantRMSNorm: FloatKernelLayer {
    func run<T: NetworkScalar>(_ x: UnsafePointer<T>, _ dy: UnsafePointer<T>, rows: Int, params: UnsafePointer<T>,
                               y: UnsafeMutablePointer<T>, grad: UnsafeMutablePointer<T>, dx: UnsafeMutablePointer<T>) {
        forward(x, rows: rows, params: params, into: y)
        backward(x, dy, rows: rows, params: params, grad: grad, dx: dx)
    }
}

extension GateActivation: FloatKernelLayer {
    func run<T: NetworkScalar>(_ x: UnsafePointer<T>, _ dy: UnsafePointer<T>, rows: Int, params: UnsafePointer<T>,
                               y: UnsafeMutablePointer<T>, grad: UnsafeMutablePointer<T>, dx: UnsafeMutablePointer<T>) {
        forward(x, rows: rows, params: params, into: y)
        backward(x, dy, rows: rows, params: params, grad: grad, dx: dx)
    }
}

/// Runs `layer` forward and backward in Double and in Float on the same inputs (values
/// Float holds exactly, so both runs see the same numbers) and returns the largest
/// difference of the Float results from the Double ones, relative to max(1, |Double value|):
/// of y, of dx, and of the parameter gradient.
func floatAgainstDouble(_ layer: some FloatKernelLayer, params: [Double], rows: Int, x: [Double],
                        dy: [Double]) -> (y: Double, dx: Double, grad: Double) {
    func results<T: NetworkScalar>(_: T.Type) -> (y: [Double], dx: [Double], grad: [Double]) {
        let xt = x.map { T($0) }, dyt = dy.map { T($0) }, pt = params.map { T($0) }
        var y = [T](repeating: 0, count: x.count), dx = y, grad = [T](repeating: 0, count: pt.count)
        xt.withUnsafeBufferPointer { xp in pt.withUnsafeBufferPointer { pp in dyt.withUnsafeBufferPointer { gp in
            y.withUnsafeMutableBufferPointer { yp in grad.withUnsafeMutableBufferPointer { g in dx.withUnsafeMutableBufferPointer {
                layer.run(xp.baseAddress!, gp.baseAddress!, rows: rows, params: pp.baseAddress!, y: yp.baseAddress!,
                          grad: g.baseAddress!, dx: $0.baseAddress!)
            }}}
        }}}
        return (y.map { Double($0) }, dx.map { Double($0) }, grad.map { Double($0) })
    }
    let exact = results(Double.self), float = results(Float.self)
    func worst(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0 }
    return (worst(float.y, exact.y), worst(float.dx, exact.dx), worst(float.grad, exact.grad))
}
