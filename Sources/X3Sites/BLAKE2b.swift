/// BLAKE2b (RFC 7693), unkeyed, any digest length 1…64 bytes — the hash NetworkX's
/// Weisfeiler–Lehman graph hash uses (`hashlib.blake2b(data, digest_size=d)`).
///
/// Parameter block as in RFC 7693 §2.5 for sequential unkeyed hashing: digest length,
/// key length 0, fanout 1, depth 1, everything else zero; so h₀ = IV ⊕ 0x01010000 ⊕ d.
public struct BLAKE2b {
    static let iv: [UInt64] = [
        0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
        0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
    ]
    static let sigma: [[Int]] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
        [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
        [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
        [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
        [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
        [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
        [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
        [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
        [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
        [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
    ]

    /// The digest of `data`, `digestSize` bytes (1…64).
    public static func hash(_ data: UnsafeRawBufferPointer, digestSize: Int) -> [UInt8] {
        precondition(digestSize >= 1 && digestSize <= 64, "BLAKE2b digest size must be 1...64")
        var h = iv
        h[0] ^= 0x0101_0000 ^ UInt64(digestSize)
        var m = [UInt64](repeating: 0, count: 16)
        var offset = 0
        let n = data.count
        // Every block but the last is compressed as not final; the last block (possibly
        // empty for empty input) is zero-padded and final.
        while n - offset > 128 {
            for i in 0..<16 { m[i] = load64(data, offset + 8 * i) }
            offset += 128
            compress(&h, m, counter: UInt64(offset), final: false)
        }
        var block = [UInt8](repeating: 0, count: 128)
        for i in 0..<(n - offset) { block[i] = data[offset + i] }
        for i in 0..<16 {
            var w: UInt64 = 0
            for b in 0..<8 { w |= UInt64(block[8 * i + b]) << (8 * UInt64(b)) }
            m[i] = w
        }
        compress(&h, m, counter: UInt64(n), final: true)
        var out = [UInt8](repeating: 0, count: digestSize)
        for i in 0..<digestSize { out[i] = UInt8(truncatingIfNeeded: h[i / 8] >> (8 * UInt64(i % 8))) }
        return out
    }

    public static func hash(_ bytes: [UInt8], digestSize: Int) -> [UInt8] {
        bytes.withUnsafeBytes { hash($0, digestSize: digestSize) }
    }

    /// Lower-case hexadecimal digest, like Python's `hexdigest()`.
    public static func hexDigest(_ bytes: [UInt8], digestSize: Int) -> [UInt8] {
        hex(hash(bytes, digestSize: digestSize))
    }

    static let hexChars = Array("0123456789abcdef".utf8)

    static func hex(_ d: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(2 * d.count)
        for b in d {
            out.append(hexChars[Int(b >> 4)])
            out.append(hexChars[Int(b & 15)])
        }
        return out
    }

    @inline(__always)
    static func load64(_ p: UnsafeRawBufferPointer, _ at: Int) -> UInt64 {
        var w: UInt64 = 0
        for b in 0..<8 { w |= UInt64(p[at + b]) << (8 * UInt64(b)) }
        return w
    }

    @inline(__always)
    static func rotr(_ x: UInt64, _ n: UInt64) -> UInt64 { (x >> n) | (x << (64 - n)) }

    /// The compression function F (RFC 7693 §3.2); `counter` is the byte count so far
    /// (messages here are far below 2⁶⁴ bytes, so the high counter word is 0).
    static func compress(_ h: inout [UInt64], _ m: [UInt64], counter: UInt64, final: Bool) {
        var v = h + iv
        v[12] ^= counter
        if final { v[14] = ~v[14] }
        @inline(__always) func g(_ a: Int, _ b: Int, _ c: Int, _ d: Int, _ x: UInt64, _ y: UInt64) {
            v[a] = v[a] &+ v[b] &+ x
            v[d] = rotr(v[d] ^ v[a], 32)
            v[c] = v[c] &+ v[d]
            v[b] = rotr(v[b] ^ v[c], 24)
            v[a] = v[a] &+ v[b] &+ y
            v[d] = rotr(v[d] ^ v[a], 16)
            v[c] = v[c] &+ v[d]
            v[b] = rotr(v[b] ^ v[c], 63)
        }
        for round in 0..<12 {
            let s = sigma[round % 10]
            g(0, 4, 8, 12, m[s[0]], m[s[1]])
            g(1, 5, 9, 13, m[s[2]], m[s[3]])
            g(2, 6, 10, 14, m[s[4]], m[s[5]])
            g(3, 7, 11, 15, m[s[6]], m[s[7]])
            g(0, 5, 10, 15, m[s[8]], m[s[9]])
            g(1, 6, 11, 12, m[s[10]], m[s[11]])
            g(2, 7, 8, 13, m[s[12]], m[s[13]])
            g(3, 4, 9, 14, m[s[14]], m[s[15]])
        }
        for i in 0..<8 { h[i] ^= v[i] ^ v[i + 8] }
    }
}
