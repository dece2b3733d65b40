import Foundation
import MediaformCore
import MediaformKit

extension EmulatorService {
    // MARK: - Authentication (docs/ims-api.md §2, §6.2)

    func authenticate(_ request: EmulatorRequest, parameters: inout [(name: String, value: String)]) throws
        -> String
    {
        let t = now()
        if let authorization = request.headers["authorization"] {
            guard let parsed = SignatureV3.parseAuthorization(authorization) else {
                throw APIFault(
                    code: "IncompleteSignature", message: "The request signature does not conform to Aliyun standards.",
                    status: 400)
            }
            guard let action = request.headers["x-acs-action"], let date = request.headers["x-acs-date"],
                let nonce = request.headers["x-acs-signature-nonce"], parsed.signedHeaders.contains("host"),
                parsed.signedHeaders.contains("x-acs-date"), parsed.signedHeaders.contains("x-acs-signature-nonce")
            else {
                throw APIFault(
                    code: "IncompleteSignature", message: "The request signature does not conform to Aliyun standards.",
                    status: 400)
            }
            guard request.headers["x-acs-version"] == RequestSigner.apiVersion else {
                throw APIFault(
                    code: "InvalidVersion", message: "Specified parameter Version is not valid.", status: 400)
            }
            try checkKey(parsed.accessKeyId, token: request.headers["x-acs-security-token"])
            try checkTime(date, nonce: nonce, now: t)
            let payloadHash =
                request.headers["x-acs-content-sha256"] ?? Digest.hex(Digest.hash(.sha256, Array(request.body)))
            let signed = SignatureV3.sign(
                method: request.method, canonicalQuery: PercentEncoding.canonicalQuery(parameters),
                headers: request.headers,
                signedHeaderNames: parsed.signedHeaders, payloadHash: payloadHash, accessKeyId: parsed.accessKeyId,
                accessKeySecret: configuration.accessKeySecret)
            guard signed.signature == parsed.signature else {
                throw APIFault(
                    code: "SignatureDoesNotMatch", message: "Specified signature does not match our calculation.",
                    status: 400)
            }
            nonces[nonce] = t
            return action
        }
        guard let signature = parameters.first(where: { $0.name == "Signature" })?.value else {
            throw APIFault(
                code: "MissingParameter.Signature",
                message:
                    "The input parameter \"Signature\" that is mandatory for processing this request is not supplied.",
                status: 400)
        }
        let p = Dictionary(parameters, uniquingKeysWith: { a, _ in a })
        guard let action = p["Action"] else { throw APIFault.missing("Action") }
        guard let keyId = p["AccessKeyId"], let timestamp = p["Timestamp"], let nonce = p["SignatureNonce"] else {
            throw APIFault(
                code: "IncompleteSignature", message: "The request signature does not conform to Aliyun standards.",
                status: 400)
        }
        guard p["Version"] == RequestSigner.apiVersion else {
            throw APIFault(code: "InvalidVersion", message: "Specified parameter Version is not valid.", status: 400)
        }
        guard p["SignatureMethod"] == "HMAC-SHA1", p["SignatureVersion"] == "1.0" else {
            throw APIFault(
                code: "IncompleteSignature", message: "The request signature does not conform to Aliyun standards.",
                status: 400)
        }
        try checkKey(keyId, token: p["SecurityToken"])
        try checkTime(timestamp, nonce: nonce, now: t)
        let unsigned = parameters.filter { $0.name != "Signature" }
        let stringToSign = SignatureV1.stringToSign(method: request.method, parameters: unsigned)
        guard
            SignatureV1.signature(stringToSign: stringToSign, accessKeySecret: configuration.accessKeySecret)
                == signature
        else {
            throw APIFault(
                code: "SignatureDoesNotMatch",
                message:
                    "Specified signature is not matched with our calculation. server string to sign is:\(stringToSign)",
                status: 400)
        }
        nonces[nonce] = t
        parameters = unsigned.filter {
            ![
                "AccessKeyId", "SignatureMethod", "SignatureVersion", "SignatureNonce", "Timestamp", "Format",
                "Version", "Action", "SecurityToken", "RegionId",
            ].contains($0.name)
        }
        return action
    }

    func checkKey(_ id: String, token: String?) throws {
        guard id == configuration.accessKeyId else {
            throw APIFault(
                code: "InvalidAccessKeyId.NotFound", message: "Specified access key is not found.", status: 404)
        }
        if let expected = configuration.securityToken, token != expected {
            throw APIFault(
                code: token == nil ? "InvalidSecurityToken.Malformed" : "InvalidSecurityToken.MismatchWithAccessKey",
                message: "Specified SecurityToken is not valid.", status: 400)
        }
    }

    func checkTime(_ timestamp: String, nonce: String, now t: Double) throws {
        guard let time = Timestamps.parse(timestamp), timestamp.hasSuffix("Z") else {
            throw APIFault(
                code: "InvalidTimeStamp.Format", message: "Specified time stamp or date value is not well formatted.",
                status: 400)
        }
        guard abs(t - time) <= configuration.allowedSkew else {
            throw APIFault(
                code: "InvalidTimeStamp.Expired", message: "Specified time stamp or date value is expired.", status: 400
            )
        }
        // Forget nonces older than the skew window: a reuse beyond it is caught by the timestamp check.
        if nonces.count > 100_000 { nonces = nonces.filter { t - $0.value <= configuration.allowedSkew } }
        guard nonces[nonce] == nil else {
            throw APIFault(
                code: "SignatureNonceUsed", message: "Specified signature nonce was used already.", status: 400)
        }
    }

    func throttle() throws {
        if configuration.throttleRate > 0, Double.random(in: 0..<1, using: &random) < configuration.throttleRate {
            throw APIFault(
                code: "Throttling.User", message: "Request was denied due to user flow control.", status: 400)
        }
        guard let limit = configuration.rateLimit else { return }
        let t = now()
        requestTimes.removeAll { t - $0 >= 1 }
        guard Double(requestTimes.count) < limit else {
            throw APIFault(
                code: "Throttling.User", message: "Request was denied due to user flow control.", status: 400)
        }
        requestTimes.append(t)
    }

}
