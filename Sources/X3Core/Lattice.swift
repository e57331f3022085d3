#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public typealias Vec3 = SIMD3<Double>

@inlinable public func dot(_ a: Vec3, _ b: Vec3) -> Double { (a * b).sum() }

@inlinable public func cross(_ a: Vec3, _ b: Vec3) -> Vec3 {
    Vec3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}

@inlinable public func norm(_ a: Vec3) -> Double { dot(a, a).squareRoot() }

/// A periodic lattice.
///
/// Conventions (stated once, used everywhere):
/// - The cell matrix has the lattice vectors **a, b, c as rows**, in Å. Stored and
///   exchanged row-major: `cell[3*i + j]` is Cartesian component j of vector i.
/// - Positions are row vectors: `r = f · cell`, i.e. r = f₁a + f₂b + f₃c.
/// - Cell parameters are (a, b, c) in Å and (α, β, γ) in degrees; α is the angle
///   between b and c, β between a and c, γ between a and b.
/// - From parameters, the cell is oriented like ASE and most codes: a along +x,
///   b in the xy plane with positive y, c completing a right-handed set.
/// - The reciprocal vectors b₁, b₂, b₃ satisfy aᵢ·bⱼ = δᵢⱼ (no factor 2π), Å⁻¹.
public struct Lattice: Equatable, Sendable {
    /// Rows a, b, c in Å.
    public let vectors: (Vec3, Vec3, Vec3)
    /// Reciprocal rows (aᵢ·bⱼ = δᵢⱼ), Å⁻¹.
    public let reciprocal: (Vec3, Vec3, Vec3)
    /// Signed volume a·(b×c), Å³; positive for a right-handed cell.
    public let signedVolume: Double

    /// Shape limits of an accepted cell. Every real structure is far inside them (the
    /// 7,298 CIFs of the project's datasets have |V| / (abc) ≥ 0.51, lengths 3.3–61 Å);
    /// beyond them the geometry code would need unbounded work, so such a cell is an
    /// `.invalidCell` error rather than a slow or wrong result.
    ///
    /// Smallest |volume| accepted, relative to |a|·|b|·|c|: the sine-like factor
    /// √(1 − cos²α − cos²β − cos²γ + 2 cosα cosβ cosγ). A Niggli-reduced cell has at least
    /// 0.5; a flatter one should be reduced first.
    public static let minimumRelativeVolume = 1e-2
    /// Shortest cell vector accepted, Å: an atom closer than this to its own periodic image
    /// is not a crystal (the shortest bond, H–H, is 0.74 Å).
    public static let minimumLength = 0.5
    /// Longest cell vector accepted, Å (one micrometre).
    public static let maximumLength = 1e4

    public static func == (l: Lattice, r: Lattice) -> Bool {
        l.vectors.0 == r.vectors.0 && l.vectors.1 == r.vectors.1 && l.vectors.2 == r.vectors.2
    }

    /// A lattice from its three vectors (rows, Å). Throws `.invalidCell` for non-finite
    /// entries, a length outside [`minimumLength`, `maximumLength`] or a relative volume
    /// below `minimumRelativeVolume` (a flat or degenerate cell).
    public init(a: Vec3, b: Vec3, c: Vec3) throws {
        for (name, v) in [("a", a), ("b", b), ("c", c)] {
            guard v.x.isFinite, v.y.isFinite, v.z.isFinite else {
                throw X3Error(.invalidCell, "cell vector \(name) = (\(v.x), \(v.y), \(v.z)) has a non-finite component")
            }
            let l = norm(v)
            guard l >= Lattice.minimumLength, l <= Lattice.maximumLength else {
                throw X3Error(.invalidCell,
                    "cell vector \(name) is \(l) Å long; lengths must lie in [\(Lattice.minimumLength), "
                    + "\(Int(Lattice.maximumLength))] Å")
            }
        }
        let vol = dot(a, cross(b, c))
        let scale = norm(a) * norm(b) * norm(c)
        guard abs(vol) >= Lattice.minimumRelativeVolume * scale else {
            throw X3Error(.invalidCell,
                "cell is degenerate (zero volume) or nearly flat: |a·(b×c)| = \(abs(vol)) Å³ is \(abs(vol) / scale) of "
                + "|a|·|b|·|c| (lengths \(norm(a)), \(norm(b)), \(norm(c)) Å), below the minimum "
                + "\(Lattice.minimumRelativeVolume); a real lattice has a reduced (Niggli) cell above 0.5")
        }
        vectors = (a, b, c)
        signedVolume = vol
        reciprocal = (cross(b, c) / vol, cross(c, a) / vol, cross(a, b) / vol)
        triangular = Lattice.triangularFrame(a, b, c)
    }

    /// A lattice from a row-major 3×3 array (rows a, b, c), Å.
    public init(rowMajor m: [Double]) throws {
        precondition(m.count == 9)
        try self.init(a: Vec3(m[0], m[1], m[2]), b: Vec3(m[3], m[4], m[5]), c: Vec3(m[6], m[7], m[8]))
    }

    /// A lattice from cell parameters: lengths in Å, angles in degrees (ASE orientation).
    public init(a: Double, b: Double, c: Double, alpha: Double, beta: Double, gamma: Double) throws {
        for (name, v) in [("a", a), ("b", b), ("c", c)] {
            guard v.isFinite, v >= Lattice.minimumLength, v <= Lattice.maximumLength else {
                throw X3Error(.invalidCell,
                    "cell length \(name) = \(v) Å; it must lie in [\(Lattice.minimumLength), \(Int(Lattice.maximumLength))] Å")
            }
        }
        for (name, v) in [("alpha", alpha), ("beta", beta), ("gamma", gamma)] {
            guard v.isFinite, v > 0, v < 180 else {
                throw X3Error(.invalidCell, "cell angle \(name) = \(v)°; it must lie strictly between 0° and 180°")
            }
        }
        guard alpha + beta + gamma < 360, alpha < beta + gamma, beta < alpha + gamma, gamma < alpha + beta else {
            throw X3Error(.invalidCell,
                "cell angles alpha=\(alpha)°, beta=\(beta)°, gamma=\(gamma)° describe no cell "
                + "(each must be smaller than the sum of the other two, and their sum below 360°)")
        }
        let rad = Double.pi / 180
        // Exact zeros for right angles keep orthogonal cells exactly orthogonal.
        func cosd(_ x: Double) -> Double { x == 90 ? 0 : cos(x * rad) }
        func sind(_ x: Double) -> Double { x == 90 ? 1 : sin(x * rad) }
        let ca = cosd(alpha), cb = cosd(beta), cg = cosd(gamma), sg = sind(gamma)
        let va = Vec3(a, 0, 0)
        let vb = Vec3(b * cg, b * sg, 0)
        let cx = cb
        let cy = (ca - cb * cg) / sg
        let cz2 = 1 - cx * cx - cy * cy
        guard cz2 > 0 else {
            throw X3Error(.invalidCell, "cell angles alpha=\(alpha)°, beta=\(beta)°, gamma=\(gamma)° give zero volume")
        }
        try self.init(a: va, b: vb, c: Vec3(c * cx, c * cy, c * cz2.squareRoot()))
    }

    /// Volume in Å³ (positive).
    public var volume: Double { abs(signedVolume) }

    /// (a, b, c) in Å and (α, β, γ) in degrees.
    public var parameters: (a: Double, b: Double, c: Double, alpha: Double, beta: Double, gamma: Double) {
        let (va, vb, vc) = vectors
        let la = norm(va), lb = norm(vb), lc = norm(vc)
        func angle(_ u: Vec3, _ v: Vec3, _ lu: Double, _ lv: Double) -> Double {
            let c = max(-1, min(1, dot(u, v) / (lu * lv)))
            return acos(c) * 180 / Double.pi
        }
        return (la, lb, lc, angle(vb, vc, lb, lc), angle(va, vc, la, lc), angle(va, vb, la, lb))
    }

    /// Row-major 3×3 (rows a, b, c), Å.
    public var rowMajor: [Double] {
        let (a, b, c) = vectors
        return [a.x, a.y, a.z, b.x, b.y, b.z, c.x, c.y, c.z]
    }

    /// Distances between opposite faces of the cell, Å: 1/|bᵢ|. A sphere of radius R
    /// fits in the cell along direction i when 2R ≤ width i.
    public var perpendicularWidths: Vec3 {
        Vec3(1 / norm(reciprocal.0), 1 / norm(reciprocal.1), 1 / norm(reciprocal.2))
    }

    @inlinable public func cartesian(_ f: Vec3) -> Vec3 {
        f.x * vectors.0 + f.y * vectors.1 + f.z * vectors.2
    }

    @inlinable public func fractional(_ r: Vec3) -> Vec3 {
        Vec3(dot(r, reciprocal.0), dot(r, reciprocal.1), dot(r, reciprocal.2))
    }

    /// Fractional coordinates wrapped into [0, 1).
    @inlinable public static func wrap(_ f: Vec3) -> Vec3 {
        var w = f - f.rounded(.down)
        // f - floor(f) can round up to exactly 1 for tiny negative f.
        for i in 0..<3 where w[i] >= 1 { w[i] = 0 }
        return w
    }

    /// The shortest Cartesian vector among d + n₁a + n₂b + n₃c over all integers nᵢ,
    /// for a Cartesian displacement d (Å). Exact for any accepted cell, however skewed.
    ///
    /// A closest-vector search (Fincke–Pohst): in the frame where the cell is lower
    /// triangular (`triangular`), the image's third component depends on n₃ alone, its
    /// second on n₂ and n₃, its first on all three. So n₃ runs over the values whose third
    /// component alone stays within the best length found so far, n₂ over those whose
    /// second and third stay within it, and n₁ is then simply the rounded optimum. The
    /// search starts from the rounded image, so on ordinary cells it visits a handful of
    /// candidates; its work is bounded by the cell's shape limits, not by d.
    public func minimumImage(_ d: Vec3) -> Vec3 {
        let f = fractional(d)
        let start = cartesian(f - f.rounded(.toNearestOrEven))
        let t = triangular
        // start in the triangular frame
        let s = Vec3(dot(start, t.e1), dot(start, t.e2), dot(start, t.e3))
        var bestN = SIMD3<Double>(0, 0, 0)
        var best2 = dot(start, start)
        // n3: |s3 + n3 c3| < best
        let bound3 = best2.squareRoot()
        let lo3 = ((-bound3 - s.z) / t.c.z).rounded(.up), hi3 = ((bound3 - s.z) / t.c.z).rounded(.down)
        var n3 = min(lo3, hi3)
        while n3 <= max(lo3, hi3) {
            let v3 = s.z + n3 * t.c.z
            let rest3 = best2 - v3 * v3
            if rest3 > 0 {
                let y0 = s.y + n3 * t.c.y
                let r = rest3.squareRoot()
                let lo2 = ((-r - y0) / t.b.y).rounded(.up), hi2 = ((r - y0) / t.b.y).rounded(.down)
                var n2 = min(lo2, hi2)
                while n2 <= max(lo2, hi2) {
                    let v2 = y0 + n2 * t.b.y
                    let rest2 = rest3 - v2 * v2
                    if rest2 > 0 {
                        let x0 = s.x + n3 * t.c.x + n2 * t.b.x
                        let n1 = (-x0 / t.a.x).rounded(.toNearestOrEven)
                        let v1 = x0 + n1 * t.a.x
                        let l2 = v1 * v1 + v2 * v2 + v3 * v3
                        if l2 < best2 { best2 = l2; bestN = SIMD3(n1, n2, n3) }
                    }
                    n2 += 1
                }
            }
            n3 += 1
        }
        if bestN == .zero { return start }
        return start + bestN.x * t.u1 + bestN.y * t.u2 + bestN.z * t.u3
    }

    /// The cell vectors u1, u2, u3 (a, b, c ordered from shortest to longest, so that the
    /// search's outer loops run along the long axes, where few values fit) and the
    /// orthonormal frame e1, e2, e3 in which they are lower triangular:
    /// a = (a₁, 0, 0), b = (b₁, b₂, 0), c = (c₁, c₂, c₃) (Gram–Schmidt of u1, u2, u3).
    struct TriangularFrame: Sendable {
        let u1: Vec3, u2: Vec3, u3: Vec3
        let e1: Vec3, e2: Vec3, e3: Vec3
        let a: Vec3, b: Vec3, c: Vec3
    }

    /// `TriangularFrame` of the cell, for `minimumImage`.
    let triangular: TriangularFrame

    static func triangularFrame(_ v1: Vec3, _ v2: Vec3, _ v3: Vec3) -> TriangularFrame {
        let sorted = [v1, v2, v3].enumerated().sorted { (norm($0.element), $0.offset) < (norm($1.element), $1.offset) }
        let a = sorted[0].element, b = sorted[1].element, c = sorted[2].element
        let e1 = a / norm(a)
        let b2 = b - dot(b, e1) * e1
        let e2 = b2 / norm(b2)
        let c3 = c - dot(c, e1) * e1 - dot(c, e2) * e2
        let e3 = c3 / norm(c3)
        func inFrame(_ v: Vec3) -> Vec3 { Vec3(dot(v, e1), dot(v, e2), dot(v, e3)) }
        return TriangularFrame(u1: a, u2: b, u3: c, e1: e1, e2: e2, e3: e3, a: inFrame(a), b: inFrame(b), c: inFrame(c))
    }

    /// Minimum-image distance between two fractional positions, Å.
    public func distance(fractional f1: Vec3, _ f2: Vec3) -> Double {
        norm(minimumImage(cartesian(f2 - f1)))
    }
}
