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

    /// Smallest |volume| accepted, relative to a·b·c: below it the cell is degenerate.
    public static let minimumRelativeVolume = 1e-6

    public static func == (l: Lattice, r: Lattice) -> Bool {
        l.vectors.0 == r.vectors.0 && l.vectors.1 == r.vectors.1 && l.vectors.2 == r.vectors.2
    }

    /// A lattice from its three vectors (rows, Å). Throws `.invalidCell` for non-finite
    /// entries or a (near-)zero volume.
    public init(a: Vec3, b: Vec3, c: Vec3) throws {
        for (name, v) in [("a", a), ("b", b), ("c", c)] {
            guard v.x.isFinite, v.y.isFinite, v.z.isFinite else {
                throw X3Error(.invalidCell, "cell vector \(name) = (\(v.x), \(v.y), \(v.z)) has a non-finite component")
            }
        }
        let vol = dot(a, cross(b, c))
        let scale = norm(a) * norm(b) * norm(c)
        guard scale > 0, abs(vol) > Lattice.minimumRelativeVolume * scale else {
            throw X3Error(.invalidCell,
                "cell has zero volume (|a·(b×c)| = \(abs(vol)) Å³ for |a|,|b|,|c| = "
                + "\(norm(a)), \(norm(b)), \(norm(c)) Å): the lattice vectors are linearly dependent")
        }
        vectors = (a, b, c)
        signedVolume = vol
        reciprocal = (cross(b, c) / vol, cross(c, a) / vol, cross(a, b) / vol)
    }

    /// A lattice from a row-major 3×3 array (rows a, b, c), Å.
    public init(rowMajor m: [Double]) throws {
        precondition(m.count == 9)
        try self.init(a: Vec3(m[0], m[1], m[2]), b: Vec3(m[3], m[4], m[5]), c: Vec3(m[6], m[7], m[8]))
    }

    /// A lattice from cell parameters: lengths in Å, angles in degrees (ASE orientation).
    public init(a: Double, b: Double, c: Double, alpha: Double, beta: Double, gamma: Double) throws {
        for (name, v) in [("a", a), ("b", b), ("c", c)] {
            guard v.isFinite, v > 0 else {
                throw X3Error(.invalidCell, "cell length \(name) = \(v) Å; it must be positive")
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
    /// for a Cartesian displacement d (Å). Exact for any cell, however skewed: after
    /// rounding the fractional components, every image shorter than the current best
    /// lies within |best|·|bᵢ| of it along each fractional axis, and all of those are searched.
    public func minimumImage(_ d: Vec3) -> Vec3 {
        let f = fractional(d)
        var best = cartesian(f - f.rounded(.toNearestOrEven))
        var bestLen2 = dot(best, best)
        let start = best
        let len = bestLen2.squareRoot()
        let r = (reciprocal.0, reciprocal.1, reciprocal.2)
        // |fᵢ(start)| ≤ ½, so an image start + n with |v·bᵢ| ≤ len has |nᵢ| ≤ len·|bᵢ| + ½.
        func reach(_ b: Vec3) -> Int { Int((len * norm(b) + 0.5).rounded(.down)) }
        let n1 = reach(r.0), n2 = reach(r.1), n3 = reach(r.2)
        if n1 + n2 + n3 == 0 { return best }
        for i in -n1...n1 {
            for j in -n2...n2 {
                for k in -n3...n3 {
                    let v = start + Double(i) * vectors.0 + Double(j) * vectors.1 + Double(k) * vectors.2
                    let l2 = dot(v, v)
                    if l2 < bestLen2 { bestLen2 = l2; best = v }
                }
            }
        }
        return best
    }

    /// Minimum-image distance between two fractional positions, Å.
    public func distance(fractional f1: Vec3, _ f2: Vec3) -> Double {
        norm(minimumImage(cartesian(f2 - f1)))
    }
}
