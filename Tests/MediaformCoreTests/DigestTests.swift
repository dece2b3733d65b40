import MediaformCore
import Testing

/// libcrypto wrappers against published vectors (FIPS 180-2, RFC 1321, RFC 2202, RFC 4231, RFC 4648).
@Suite struct DigestTests {
    @Test func sha256() {
        #expect(
            Digest.hex(Digest.hash(.sha256, "abc"))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digest.sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func md5() {
        #expect(Digest.hex(Digest.hash(.md5, "abc")) == "900150983cd24fb0d6963f7d28e17f72")
        // The IMS callback-signature example (docs/ims-api.md §2.5), with key test123.
        #expect(
            Digest.hex(Digest.hash(.md5, "https://www.example.com/your/callback|1519375990|test123"))
                == "c72b60894140fa98920f1279219b7ed4")
    }

    @Test func hmacSHA1RFC2202() {
        let key = [UInt8](repeating: 0x0b, count: 20)
        #expect(
            Digest.hex(Digest.hmac(.sha1, key: key, message: Array("Hi There".utf8)))
                == "b617318655057264e28bc0b6fb378c8ef146be00")
        #expect(
            Digest.hex(Digest.hmac(.sha1, key: "Jefe", message: "what do ya want for nothing?"))
                == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
    }

    @Test func hmacSHA256RFC4231() {
        let key = [UInt8](repeating: 0x0b, count: 20)
        #expect(
            Digest.hex(Digest.hmac(.sha256, key: key, message: Array("Hi There".utf8)))
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(
            Digest.hex(Digest.hmac(.sha256, key: "Jefe", message: "what do ya want for nothing?"))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func base64RFC4648() {
        let cases = [
            "": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=",
            "foobar": "Zm9vYmFy",
        ]
        for (input, expected) in cases {
            #expect(Digest.base64(Array(input.utf8)) == expected)
        }
    }
}
