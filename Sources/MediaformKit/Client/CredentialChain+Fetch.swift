import Foundation
import MediaformCore

extension CredentialChain {
    func fetchNamed(_ refresher: Refresher, source: String) async throws(CredentialError) -> ResolvedCredentials {
        do {
            var result = try await fetch(refresher)
            result.source = source
            return result
        } catch {
            throw CredentialError("\(source): \(error.message)", tried: error.tried)
        }
    }

    func fetch(_ refresher: Refresher) async throws(CredentialError) -> ResolvedCredentials {
        switch refresher {
        case .assumeRole(let source, let arn, let session, let duration, let policy, let externalId, let endpoint):
            var parameters: [(name: String, value: String)] = [
                ("Action", "AssumeRole"), ("Version", "2015-04-01"), ("Format", "JSON"),
                ("Timestamp", Date().formatted(.iso8601)), ("SignatureNonce", UUID().uuidString),
                ("SignatureMethod", "HMAC-SHA1"), ("SignatureVersion", "1.0"), ("AccessKeyId", source.id),
                ("RoleArn", arn), ("RoleSessionName", session), ("DurationSeconds", String(duration)),
            ]
            if let policy { parameters.append(("Policy", policy)) }
            if let externalId { parameters.append(("ExternalId", externalId)) }
            if let token = source.securityToken { parameters.append(("SecurityToken", token)) }
            let signature = SignatureV1.signature(
                stringToSign: SignatureV1.stringToSign(method: "GET", parameters: parameters),
                accessKeySecret: source.secret)
            let url =
                endpoint + "/?" + PercentEncoding.canonicalQuery(parameters) + "&Signature="
                + PercentEncoding.encode(signature)
            let response: HTTPResponse
            do {
                response = try await transport.send(
                    HTTPRequest(method: "GET", url: url, headers: [("accept", "application/json")], timeout: 10))
            } catch {
                throw CredentialError("STS AssumeRole at \(endpoint) failed: \(APIError.transport(error))")
            }
            guard response.status == 200 else {
                throw CredentialError("STS AssumeRole for \(arn) was refused: \(APIError.fromResponse(response))")
            }
            guard let value = try? JSONParser.parse(response.body), let c = value["Credentials"],
                let id = c["AccessKeyId"]?.stringValue, let secret = c["AccessKeySecret"]?.stringValue,
                let token = c["SecurityToken"]?.stringValue
            else { throw CredentialError("STS AssumeRole answered without credentials") }
            return ResolvedCredentials(
                key: AccessKey(id: id, secret: secret, securityToken: token),
                expiration: c["Expiration"]?.stringValue.flatMap(Timestamps.parse), source: "", refresher: refresher)
        case .ecsRole(let roleName, let endpoint, let allowIMDSv1):
            var headers: [(name: String, value: String)] = []
            do {
                let tokenResponse = try await transport.send(
                    HTTPRequest(
                        method: "PUT", url: endpoint + "/latest/api/token",
                        headers: [("X-aliyun-ecs-metadata-token-ttl-seconds", "21600")], timeout: 1))
                if tokenResponse.status == 200 {
                    headers.append(("X-aliyun-ecs-metadata-token", String(decoding: tokenResponse.body, as: UTF8.self)))
                } else if !allowIMDSv1 {
                    throw CredentialError(
                        "the ECS metadata service did not issue an IMDSv2 token (HTTP \(tokenResponse.status)) and ALIBABA_CLOUD_IMDSV1_DISABLED forbids IMDSv1"
                    )
                }
            } catch let error as CredentialError {
                throw error
            } catch {
                if !allowIMDSv1 { throw CredentialError("the ECS metadata service at \(endpoint) is unreachable") }
            }
            var role = roleName
            if role == nil {
                guard
                    let r = try? await transport.send(
                        HTTPRequest(
                            method: "GET", url: endpoint + "/latest/meta-data/ram/security-credentials/",
                            headers: headers, timeout: 1)),
                    r.status == 200
                else { throw CredentialError("the ECS metadata service at \(endpoint) did not name a RAM role") }
                role = String(decoding: r.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            let response: HTTPResponse
            do {
                response = try await transport.send(
                    HTTPRequest(
                        method: "GET",
                        url: endpoint + "/latest/meta-data/ram/security-credentials/"
                            + PercentEncoding.encode(role ?? ""),
                        headers: headers, timeout: 1))
            } catch {
                throw CredentialError(
                    "the ECS metadata service at \(endpoint) is unreachable: \(APIError.transport(error))")
            }
            guard response.status == 200, let c = try? JSONParser.parse(response.body),
                c["Code"]?.stringValue ?? "Success" == "Success",
                let id = c["AccessKeyId"]?.stringValue, let secret = c["AccessKeySecret"]?.stringValue,
                let token = c["SecurityToken"]?.stringValue
            else {
                throw CredentialError(
                    "the ECS metadata service gave no credentials for role '\(role ?? "")' (HTTP \(response.status))")
            }
            return ResolvedCredentials(
                key: AccessKey(id: id, secret: secret, securityToken: token),
                expiration: c["Expiration"]?.stringValue.flatMap(Timestamps.parse), source: "", refresher: refresher)
        }
    }
}
