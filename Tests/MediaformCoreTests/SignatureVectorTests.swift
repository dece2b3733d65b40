import Foundation
import MediaformCore
import MediaformTestSupport
import Testing

/// Every vector computed by the official SDK's signing code (Tests/Fixtures/vectors/sigvectors.json, copied from
/// shared/vectors; `sigvectors.py` regenerates it) is reproduced byte for byte.
@Suite struct SignatureVectorTests {
    static let vectors: JSONValue = {
        let data = FileManager.default.contents(atPath: Fixtures.path("vectors/sigvectors.json")) ?? Data()
        return (try? JSONParser.parse(data)) ?? .null
    }()

    static func list(_ section: String) -> [JSONValue] { vectors[section]?.arrayValue ?? [] }
    static func names(_ section: String) -> [String] { list(section).compactMap { $0["name"]?.stringValue } }
    static func vector(_ section: String, _ name: String) -> JSONValue {
        list(section).first { $0["name"]?.stringValue == name } ?? .null
    }

    private func pairs(_ value: JSONValue?) -> [(name: String, value: String)] {
        (value?.objectValue ?? [:]).map { ($0.key, $0.value.stringValue ?? "") }
    }

    private func strings(_ value: JSONValue?) -> [String: String] {
        (value?.objectValue ?? [:]).compactMapValues(\.stringValue)
    }

    @Test func vectorsArePresent() {
        #expect(Self.names("rpcV1").count == 3)
        #expect(Self.names("v3").count == 3)
        #expect(Self.names("iceEndToEnd").count == 4)
    }

    @Test(arguments: names("rpcV1"))
    func rpcV1(_ name: String) {
        let v = Self.vector("rpcV1", name)
        let stringToSign = SignatureV1.stringToSign(
            method: v["method"]?.stringValue ?? "", parameters: pairs(v["params"]))
        #expect(stringToSign == v["stringToSign"]?.stringValue)
        #expect(
            SignatureV1.signature(stringToSign: stringToSign, accessKeySecret: v["accessKeySecret"]?.stringValue ?? "")
                == v["signature"]?.stringValue)
    }

    @Test(arguments: names("v3"))
    func v3(_ name: String) {
        let v = Self.vector("v3", name)
        let headers = strings(v["headers"])
        let signed = SignatureV3.sign(
            method: v["method"]?.stringValue ?? "", canonicalQuery: PercentEncoding.canonicalQuery(pairs(v["query"])),
            headers: headers, signedHeaderNames: Array(headers.keys), accessKeyId: v["accessKeyId"]?.stringValue ?? "",
            accessKeySecret: v["accessKeySecret"]?.stringValue ?? "")
        #expect(signed.canonicalRequest == v["canonicalRequest"]?.stringValue)
        #expect(signed.hashedCanonicalRequest == v["hashedCanonicalRequest"]?.stringValue)
        #expect(signed.stringToSign == v["stringToSign"]?.stringValue)
        #expect(signed.signature == v["signature"]?.stringValue)
        #expect(signed.authorization == v["authorization"]?.stringValue)
    }

    @Test(arguments: names("iceEndToEnd"))
    func endToEnd(_ name: String) throws {
        let v = Self.vector("iceEndToEnd", name)
        let inputs = try #require(v["inputs"])
        let secret = inputs["accessKeySecret"]?.stringValue ?? ""
        if let authorization = v["authorization"]?.stringValue {
            // V3 as the SDK builds it, signing also accept, user-agent and x-acs-credentials-provider.
            var headers = strings(v["headers"])
            headers["Authorization"] = nil
            let parsed = try #require(SignatureV3.parseAuthorization(authorization))
            let signed = SignatureV3.sign(
                method: v["httpMethod"]?.stringValue ?? "",
                canonicalQuery: PercentEncoding.canonicalQuery(pairs(v["query"])),
                headers: headers, signedHeaderNames: parsed.signedHeaders, accessKeyId: parsed.accessKeyId,
                accessKeySecret: secret)
            #expect(signed.canonicalRequest == v["canonicalRequest"]?.stringValue)
            #expect(signed.signature == v["signature"]?.stringValue)
            #expect(signed.authorization == authorization)
        } else {
            let stringToSign = SignatureV1.stringToSign(
                method: v["httpMethod"]?.stringValue ?? "", parameters: pairs(v["query"]))
            #expect(stringToSign == v["stringToSign"]?.stringValue)
            #expect(
                SignatureV1.signature(stringToSign: stringToSign, accessKeySecret: secret)
                    == v["signature"]?.stringValue)
        }
    }

    /// I1 and I2 built by our own request builder from the high-level inputs: same canonical request, same
    /// signature, and the wire query is the canonical query itself.
    @Test func requestSignerReproducesI1AndI2() throws {
        for (name, action) in [
            ("ice-UploadMediaByURL-minimal-headers", "UploadMediaByURL"),
            ("ice-GetUrlUploadInfos-minimal-headers-sts", "GetUrlUploadInfos"),
        ] {
            let v = Self.vector("v3", name)
            let headers = strings(v["headers"])
            let request = RequestSigner.sign(
                action: action, parameters: pairs(v["query"]), endpoint: "https://ice.cn-shanghai.aliyuncs.com",
                host: "ice.cn-shanghai.aliyuncs.com",
                credentials: AccessKey(
                    id: "testid", secret: "testsecret", securityToken: headers["x-acs-security-token"]),
                timestamp: headers["x-acs-date"] ?? "", nonce: headers["x-acs-signature-nonce"] ?? "",
                userAgent: "mediaform-test")
            let authorization = request.headers.first { $0.name == "Authorization" }?.value
            #expect(authorization == v["authorization"]?.stringValue, "\(name)")
            let canonicalQuery = v["canonicalRequest"]?.stringValue?.split(
                separator: "\n", omittingEmptySubsequences: false)[2]
            #expect(request.url == "https://ice.cn-shanghai.aliyuncs.com/?" + String(canonicalQuery ?? ""))
        }
    }

    /// I5 and I6 (V1) built by our request builder: the signature matches and the query parses back to the same
    /// parameters.
    @Test func requestSignerReproducesI5AndI6() throws {
        for name in ["ice-UploadMediaByURL-sdk-v1", "ice-GetUrlUploadInfos-sdk-v1-sts"] {
            let v = Self.vector("iceEndToEnd", name)
            let inputs = try #require(v["inputs"])
            let request = RequestSigner.sign(
                action: v["query"]?["Action"]?.stringValue ?? "", parameters: pairs(inputs["request"]),
                endpoint: "https://ice.cn-shanghai.aliyuncs.com", host: "ice.cn-shanghai.aliyuncs.com",
                credentials: AccessKey(
                    id: "testid", secret: "testsecret", securityToken: inputs["securityToken"]?.stringValue),
                timestamp: inputs["timestamp"]?.stringValue ?? "", nonce: inputs["nonce"]?.stringValue ?? "",
                userAgent: "mediaform-test", version: .v1)
            let query = try #require(request.url.split(separator: "?", maxSplits: 1).last)
            let sent = Dictionary(try #require(PercentEncoding.parseQuery(query)), uniquingKeysWith: { a, _ in a })
            #expect(sent == strings(v["query"]), "\(name)")
        }
    }

    @Test func percentEncodingKeepsOnlyUnreservedCharacters() {
        #expect(PercentEncoding.encode("a b*c~d/e,f:g+h=i%j") == "a%20b%2Ac~d%2Fe%2Cf%3Ag%2Bh%3Di%25j")
        #expect(PercentEncoding.encode("季") == "%E5%AD%A3")
        #expect(PercentEncoding.decode("a%20b+c", plusAsSpace: true) == "a b c")
        #expect(PercentEncoding.decode("a%2", plusAsSpace: false) == nil)
    }
}
