import Testing
import X3Core

/// CRC-32 against the standard check value (CRC catalogue: "123456789" → 0xCBF43926) and
/// the empty input; Python's zlib.crc32 agrees with the model files' checksums
/// (bindings/python/tests/test_model_file.py).
@Suite struct CRC32Tests {
    @Test func standardCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
    }
}
