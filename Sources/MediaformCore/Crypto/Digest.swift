import COpenSSL
import Foundation

/// Hashes and HMACs from the system's OpenSSL libcrypto (docs/design.md §9: no vendored BoringSSL build).
///
/// One-shot functions over bytes; results are raw digests, with `hex` and `base64` helpers for the wire forms.
public enum Digest {
    /// The algorithms mediaform needs: SHA-256 (fingerprints, V3 signing), SHA-1 (V1 signing), MD5 (callback auth).
    public enum Algorithm: Sendable {
        case sha256, sha1, md5

        fileprivate var evp: OpaquePointer? {
            switch self {
            case .sha256: Digest.sha256
            case .sha1: EVP_sha1()
            case .md5: EVP_md5()
            }
        }
    }

    /// SHA-256 fetched from OpenSSL's provider once. Passing `EVP_sha256()` makes every `EVP_Digest` look the
    /// implementation up again in OpenSSL 3's provider store, under a lock: a read of a million records hashes a
    /// million fingerprints, and the look-ups (a read lock, reference counting) cost about a third as much as the
    /// hashing. A fetched `EVP_MD` is immutable and shared between threads; it lives as long as the process.
    /// `EVP_sha256()` remains the fallback should the fetch fail.
    nonisolated(unsafe) fileprivate static let sha256: OpaquePointer? = EVP_MD_fetch(nil, "SHA256", nil) ?? EVP_sha256()

    /// The digest of `bytes`.
    public static func hash(_ algorithm: Algorithm, _ bytes: some Collection<UInt8>) -> [UInt8] {
        hash(algorithm, contiguous: Array(bytes))
    }

    /// The digest of contiguous bytes without copying them (for whole files).
    public static func hash(_ algorithm: Algorithm, contiguous bytes: some ContiguousBytes) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBytes { input in
            out.withUnsafeMutableBufferPointer { output in
                EVP_Digest(input.baseAddress, input.count, output.baseAddress, &length, algorithm.evp, nil)
            }
        }
        precondition(ok == 1, "libcrypto EVP_Digest failed")
        return Array(out.prefix(Int(length)))
    }

    /// The digest of a string's UTF-8 bytes.
    public static func hash(_ algorithm: Algorithm, _ string: String) -> [UInt8] {
        hash(algorithm, Array(string.utf8))
    }

    /// HMAC of `message` under `key`.
    public static func hmac(_ algorithm: Algorithm, key: some Collection<UInt8>, message: some Collection<UInt8>)
        -> [UInt8]
    {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let keyBytes = Array(key)
        let messageBytes = Array(message)
        let result = keyBytes.withUnsafeBufferPointer { k in
            messageBytes.withUnsafeBufferPointer { m in
                out.withUnsafeMutableBufferPointer { o in
                    HMAC(algorithm.evp, k.baseAddress, Int32(k.count), m.baseAddress, m.count, o.baseAddress, &length)
                }
            }
        }
        precondition(result != nil, "libcrypto HMAC failed")
        return Array(out.prefix(Int(length)))
    }

    /// HMAC of a string's UTF-8 bytes under a string key.
    public static func hmac(_ algorithm: Algorithm, key: String, message: String) -> [UInt8] {
        hmac(algorithm, key: Array(key.utf8), message: Array(message.utf8))
    }

    /// Lower-case hexadecimal, written straight into the string.
    public static func hex(_ bytes: some Collection<UInt8>) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            var i = 0
            for b in bytes {
                out[i] = hexDigit(b >> 4)
                out[i + 1] = hexDigit(b & 0x0F)
                i += 2
            }
            return i
        }
    }

    /// Standard base64 with padding.
    public static func base64(_ bytes: [UInt8]) -> String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 2 < bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [table[Int(n >> 18 & 63)], table[Int(n >> 12 & 63)], table[Int(n >> 6 & 63)], table[Int(n & 63)]]
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let n = UInt32(bytes[i]) << 16
            out += [table[Int(n >> 18 & 63)], table[Int(n >> 12 & 63)], UInt8(ascii: "="), UInt8(ascii: "=")]
        } else if rest == 2 {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out += [table[Int(n >> 18 & 63)], table[Int(n >> 12 & 63)], table[Int(n >> 6 & 63)], UInt8(ascii: "=")]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Lower-case hex SHA-256 of a string's UTF-8 bytes.
    public static func sha256Hex(_ string: String) -> String {
        var string = string  // `withUTF8` is mutating; for a native string this copies nothing
        return string.withUTF8 { sha256Hex(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Lower-case hex SHA-256 of `bytes`, read in place, the digest kept on the stack: fingerprints hash two short
    /// texts for every asset of a plan, where copying the text and building the digest through arrays cost as much
    /// as hashing it.
    public static func sha256Hex(bytes: UnsafeRawBufferPointer) -> String {
        var digest: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var length: UInt32 = 0
        let ok = withUnsafeMutableBytes(of: &digest) { out in
            EVP_Digest(
                bytes.baseAddress, bytes.count, out.baseAddress?.assumingMemoryBound(to: UInt8.self), &length,
                sha256, nil)
        }
        precondition(ok == 1 && length == 32, "libcrypto EVP_Digest failed")
        return withUnsafeBytes(of: &digest) { hex($0) }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
