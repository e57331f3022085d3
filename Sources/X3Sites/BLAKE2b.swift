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
    static let sigmaBytes: [UInt8] = sigma.flatMap { $0.map(UInt8.init) }
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
        [UInt8](unsafeUninitializedCapacity: digestSize) { out, n in
            digest(data, digestSize: digestSize) { h in
                for i in 0..<digestSize { out[i] = UInt8(truncatingIfNeeded: h[i / 8] >> (8 * UInt64(i % 8))) }
            }
            n = digestSize
        }
    }

    /// Computes the digest and hands the final state words to `body` (digest byte i is
    /// byte i % 8, little-endian, of word i / 8). No heap allocation: the state, message
    /// and work vectors live on the stack.
    @inline(__always)
    static func digest(_ data: UnsafeRawBufferPointer, digestSize: Int, _ body: (UnsafeMutablePointer<UInt64>) -> Void) {
        precondition(digestSize >= 1 && digestSize <= 64, "BLAKE2b digest size must be 1...64")
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 40) { buf in
            let h = buf.baseAddress!, m = h + 8, v = h + 24
            for i in 0..<8 { h[i] = iv[i] }
            h[0] ^= 0x0101_0000 ^ UInt64(digestSize)
            var offset = 0
            let n = data.count
            // Every block but the last is compressed as not final; the last block (possibly
            // empty for empty input) is zero-padded and final.
            while n - offset > 128 {
                for i in 0..<16 { m[i] = load64(data, offset + 8 * i) }
                offset += 128
                compress(h, m, v, counter: UInt64(offset), final: false)
            }
            for i in 0..<16 { m[i] = 0 }
            let tail = UnsafeMutableRawPointer(m)
            for i in 0..<(n - offset) { tail.storeBytes(of: data[offset + i], toByteOffset: i, as: UInt8.self) }
            for i in 0..<16 { m[i] = UInt64(littleEndian: m[i]) }
            compress(h, m, v, counter: UInt64(n), final: true)
            body(h)
        }
    }

    /// Hex digest of `data` appended to `out` (2·digestSize lower-case ASCII digits).
    public static func appendHexDigest(_ data: UnsafeRawBufferPointer, digestSize: Int, to out: inout [UInt8]) {
        digest(data, digestSize: digestSize) { h in
            for i in 0..<digestSize {
                let b = UInt8(truncatingIfNeeded: h[i / 8] >> (8 * UInt64(i % 8)))
                out.append(hexChars[Int(b >> 4)])
                out.append(hexChars[Int(b & 15)])
            }
        }
    }

    public static func hash(_ bytes: [UInt8], digestSize: Int) -> [UInt8] {
        bytes.withUnsafeBytes { hash($0, digestSize: digestSize) }
    }

    /// Lower-case hexadecimal digest, like Python's `hexdigest()`.
    public static func hexDigest(_ bytes: [UInt8], digestSize: Int) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(2 * digestSize)
        bytes.withUnsafeBytes { appendHexDigest($0, digestSize: digestSize, to: &out) }
        return out
    }

    static let hexChars = Array("0123456789abcdef".utf8)

    @inline(__always)
    static func load64(_ p: UnsafeRawBufferPointer, _ at: Int) -> UInt64 {
        var w: UInt64 = 0
        for b in 0..<8 { w |= UInt64(p[at + b]) << (8 * UInt64(b)) }
        return w
    }

    @inline(__always)
    static func rotr(_ x: UInt64, _ n: UInt64) -> UInt64 { (x >> n) | (x << (64 - n)) }

    /// The compression function F (RFC 7693 §3.2) on state h (8 words) and message m (16
    /// words); `counter` is the byte count so far (messages here are far below 2⁶⁴ bytes,
    /// so the high counter word is 0). The work vector lives in locals (registers).
    @inline(__always)
    static func compress(_ h: UnsafeMutablePointer<UInt64>, _ m: UnsafeMutablePointer<UInt64>,
                         _ scratch: UnsafeMutablePointer<UInt64>, counter: UInt64, final: Bool) {
        var v0 = h[0], v1 = h[1], v2 = h[2], v3 = h[3], v4 = h[4], v5 = h[5], v6 = h[6], v7 = h[7]
        var v8: UInt64 = 0x6a09e667f3bcc908, v9: UInt64 = 0xbb67ae8584caa73b
        var v10: UInt64 = 0x3c6ef372fe94f82b, v11: UInt64 = 0xa54ff53a5f1d36f1
        var v12: UInt64 = 0x510e527fade682d1 ^ counter, v13: UInt64 = 0x9b05688c2b3e6c1f
        var v14: UInt64 = final ? ~0x1f83d9abfb41bd6b : 0x1f83d9abfb41bd6b, v15: UInt64 = 0x5be0cd19137e2179
        @inline(__always) func g(_ a: inout UInt64, _ b: inout UInt64, _ c: inout UInt64, _ d: inout UInt64,
                                 _ x: UInt64, _ y: UInt64) {
            a = a &+ b &+ x
            d = rotr(d ^ a, 32)
            c = c &+ d
            b = rotr(b ^ c, 24)
            a = a &+ b &+ y
            d = rotr(d ^ a, 16)
            c = c &+ d
            b = rotr(b ^ c, 63)
        }
        sigmaBytes.withUnsafeBufferPointer { sg in
            for round in 0..<12 {
                let s = sg.baseAddress! + 16 * (round % 10)
                g(&v0, &v4, &v8, &v12, m[Int(s[0])], m[Int(s[1])])
                g(&v1, &v5, &v9, &v13, m[Int(s[2])], m[Int(s[3])])
                g(&v2, &v6, &v10, &v14, m[Int(s[4])], m[Int(s[5])])
                g(&v3, &v7, &v11, &v15, m[Int(s[6])], m[Int(s[7])])
                g(&v0, &v5, &v10, &v15, m[Int(s[8])], m[Int(s[9])])
                g(&v1, &v6, &v11, &v12, m[Int(s[10])], m[Int(s[11])])
                g(&v2, &v7, &v8, &v13, m[Int(s[12])], m[Int(s[13])])
                g(&v3, &v4, &v9, &v14, m[Int(s[14])], m[Int(s[15])])
            }
        }
        h[0] ^= v0 ^ v8; h[1] ^= v1 ^ v9; h[2] ^= v2 ^ v10; h[3] ^= v3 ^ v11
        h[4] ^= v4 ^ v12; h[5] ^= v5 ^ v13; h[6] ^= v6 ^ v14; h[7] ^= v7 ^ v15
    }
}
