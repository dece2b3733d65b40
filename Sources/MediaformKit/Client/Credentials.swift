import Foundation
import MediaformCore

/// No usable credentials. The message names every source that was tried and never contains a secret.
public struct CredentialError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// The sources tried, in order, each with why it did not yield credentials.
    public var tried: [String]

    public init(_ message: String, tried: [String] = []) {
        self.message = message
        self.tried = tried
    }

    public var description: String {
        guard !tried.isEmpty else { return message }
        return message + "; tried:\n" + tried.map { "  - \($0)" }.joined(separator: "\n")
    }
}

/// Credentials and where they came from.
public struct ResolvedCredentials: Sendable, Equatable {
    public var key: AccessKey
    /// Unix time when temporary credentials expire; nil for long-term keys.
    public var expiration: Double?
    /// "environment", "aliyun CLI profile 'ci' (RamRoleArn)", …
    public var source: String
    /// How to get fresh ones (nil for static credentials).
    var refresher: Refresher?

    public static func == (a: ResolvedCredentials, b: ResolvedCredentials) -> Bool {
        a.key == b.key && a.expiration == b.expiration && a.source == b.source
    }
}

/// Gives the client credentials, refreshing temporary ones before they expire.
public protocol CredentialProvider: Sendable {
    func credentials() async throws(CredentialError) -> ResolvedCredentials
    /// Forgets cached temporary credentials (after `InvalidSecurityToken.*`).
    func invalidate() async
}

/// Fixed credentials (tests, the emulator).
public struct StaticCredentials: CredentialProvider {
    let resolved: ResolvedCredentials

    public init(_ key: AccessKey, source: String = "static") {
        self.resolved = ResolvedCredentials(key: key, expiration: nil, source: source, refresher: nil)
    }

    public func credentials() async throws(CredentialError) -> ResolvedCredentials { resolved }
    public func invalidate() async {}
}

/// How temporary credentials are fetched again.
enum Refresher: Sendable {
    case assumeRole(
        source: AccessKey, roleArn: String, sessionName: String, durationSeconds: Int, policy: String?,
        externalId: String?, endpoint: String)
    case ecsRole(roleName: String?, endpoint: String, allowIMDSv1: Bool)
}

/// The default credential chain, in the official SDK's order (ims-api.md §8.1):
/// 1. `ALIBABA_CLOUD_ACCESS_KEY_ID` / `_SECRET` (+ `_SECURITY_TOKEN`);
/// 2. the aliyun CLI's `~/.aliyun/config.json` (profile: `--profile`, `ALIBABA_CLOUD_PROFILE`, or `current`;
///    modes AK, StsToken, RamRoleArn via STS AssumeRole signed V1, EcsRamRole via the metadata service);
/// 3. `~/.alibabacloud/credentials` (or `ALIBABA_CLOUD_CREDENTIALS_FILE`), section `ALIBABA_CLOUD_PROFILE` or `default`;
/// 4. the ECS metadata service, only when `ALIBABA_CLOUD_ECS_METADATA` names a role (mediaform does not probe
///    100.100.100.200 blindly: off ECS that would cost a timeout on every run).
///
/// The first source that yields credentials is kept; temporary credentials are refreshed five minutes before they
/// expire. `MEDIAFORM_STS_ENDPOINT` and `MEDIAFORM_ECS_METADATA_ENDPOINT` override those endpoints (private
/// networks, tests).
public actor CredentialChain: CredentialProvider {
    let environment: [String: String]
    let home: String
    let profile: String?
    let transport: any HTTPTransport
    let clock: @Sendable () -> Double
    private var cached: ResolvedCredentials?

    /// - Parameters:
    ///   - profile: `--profile`, which wins over `ALIBABA_CLOUD_PROFILE`.
    ///   - clock: Unix time (injected for tests).
    public init(
        environment: [String: String], home: String, profile: String? = nil, transport: any HTTPTransport,
        clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) {
        self.environment = environment
        self.home = home
        self.profile = profile
        self.transport = transport
        self.clock = clock
    }

    public func invalidate() async {
        if cached?.refresher != nil { cached?.expiration = 0 }
    }

    public func credentials() async throws(CredentialError) -> ResolvedCredentials {
        if let cached {
            guard let expiration = cached.expiration, let refresher = cached.refresher else { return cached }
            if expiration - clock() > 300 { return cached }
            var fresh = try await fetch(refresher)
            fresh.source = cached.source
            self.cached = fresh
            return fresh
        }
        let resolved = try await resolve()
        cached = resolved
        return resolved
    }

    private func resolve() async throws(CredentialError) -> ResolvedCredentials {
        var tried: [String] = []
        // 1. Environment.
        let id = environment["ALIBABA_CLOUD_ACCESS_KEY_ID"] ?? "",
            secret = environment["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] ?? ""
        if !id.isEmpty && !secret.isEmpty {
            let token = environment["ALIBABA_CLOUD_SECURITY_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            return ResolvedCredentials(
                key: AccessKey(id: id, secret: secret, securityToken: token), expiration: nil, source: "environment",
                refresher: nil)
        }
        tried.append(
            id.isEmpty && secret.isEmpty
                ? "environment: ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET are not set"
                : "environment: only one of ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET is set")

        // 2. aliyun CLI profile.
        let cliPath = home + "/.aliyun/config.json"
        if environment["ALIBABA_CLOUD_CLI_PROFILE_DISABLED"]?.lowercased() == "true" {
            tried.append("\(cliPath): disabled by ALIBABA_CLOUD_CLI_PROFILE_DISABLED")
        } else if let result = try await cliProfile(path: cliPath, tried: &tried) {
            return result
        }

        // 3. Shared credentials file.
        let iniPath = environment["ALIBABA_CLOUD_CREDENTIALS_FILE"] ?? home + "/.alibabacloud/credentials"
        if let result = try await iniProfile(path: iniPath, tried: &tried) { return result }

        // 4. ECS RAM role, when named.
        if let role = environment["ALIBABA_CLOUD_ECS_METADATA"], !role.isEmpty,
            environment["ALIBABA_CLOUD_ECS_METADATA_DISABLED"]?.lowercased() != "true"
        {
            return try await fetchNamed(
                .ecsRole(roleName: role, endpoint: metadataEndpoint, allowIMDSv1: imdsV1Allowed),
                source: "ECS RAM role '\(role)'")
        }
        tried.append("ECS instance RAM role: ALIBABA_CLOUD_ECS_METADATA (the role name) is not set")
        throw CredentialError("no Alibaba Cloud credentials found", tried: tried)
    }

    private var stsEndpoint: String {
        if let e = environment["MEDIAFORM_STS_ENDPOINT"], !e.isEmpty { return e }
        if let region = environment["ALIBABA_CLOUD_STS_REGION"], !region.isEmpty {
            return "https://sts.\(region).aliyuncs.com"
        }
        return "https://sts.aliyuncs.com"
    }

    private var metadataEndpoint: String { environment["MEDIAFORM_ECS_METADATA_ENDPOINT"] ?? "http://100.100.100.200" }
    private var imdsV1Allowed: Bool { environment["ALIBABA_CLOUD_IMDSV1_DISABLED"]?.lowercased() != "true" }

    private func cliProfile(path: String, tried: inout [String]) async throws(CredentialError) -> ResolvedCredentials? {
        guard let data = FileManager.default.contents(atPath: path) else {
            tried.append("\(path): not found")
            return nil
        }
        guard let config = try? JSONParser.parse(data) else {
            tried.append("\(path): not valid JSON")
            return nil
        }
        let name =
            profile ?? environment["ALIBABA_CLOUD_PROFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? config["current"]?
            .stringValue ?? "default"
        guard let entry = config["profiles"]?.arrayValue?.first(where: { $0["name"]?.stringValue == name }) else {
            tried.append("\(path): no profile '\(name)'")
            return nil
        }
        func field(_ key: String) -> String? { entry[key]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } }
        let mode = field("mode") ?? "AK"
        let label = "aliyun CLI profile '\(name)' (\(mode))"
        switch mode.lowercased() {
        case "ak":
            guard let id = field("access_key_id"), let secret = field("access_key_secret") else {
                throw CredentialError("\(path): profile '\(name)' (AK) needs access_key_id and access_key_secret")
            }
            return ResolvedCredentials(
                key: AccessKey(id: id, secret: secret), expiration: nil, source: label, refresher: nil)
        case "ststoken":
            guard let id = field("access_key_id"), let secret = field("access_key_secret"),
                let token = field("sts_token")
            else {
                throw CredentialError(
                    "\(path): profile '\(name)' (StsToken) needs access_key_id, access_key_secret and sts_token")
            }
            return ResolvedCredentials(
                key: AccessKey(id: id, secret: secret, securityToken: token), expiration: nil, source: label,
                refresher: nil)
        case "ramrolearn":
            guard let id = field("access_key_id"), let secret = field("access_key_secret"),
                let arn = field("ram_role_arn")
            else {
                throw CredentialError(
                    "\(path): profile '\(name)' (RamRoleArn) needs access_key_id, access_key_secret and ram_role_arn")
            }
            let seconds = Int(entry["expired_seconds"]?.intValue ?? 3600)
            let endpoint = field("sts_region").map { "https://sts.\($0).aliyuncs.com" } ?? stsEndpoint
            return try await fetchNamed(
                .assumeRole(
                    source: AccessKey(id: id, secret: secret, securityToken: field("sts_token")), roleArn: arn,
                    sessionName: field("ram_session_name") ?? "mediaform-\(Int(clock()))",
                    durationSeconds: max(900, seconds),
                    policy: field("policy"), externalId: field("external_id"),
                    endpoint: environment["MEDIAFORM_STS_ENDPOINT"] ?? endpoint), source: label)
        case "ecsramrole":
            return try await fetchNamed(
                .ecsRole(roleName: field("ram_role_name"), endpoint: metadataEndpoint, allowIMDSv1: imdsV1Allowed),
                source: label)
        default:
            throw CredentialError(
                "\(path): profile '\(name)' uses mode '\(mode)', which mediaform does not support (AK, StsToken, RamRoleArn, EcsRamRole); set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET instead"
            )
        }
    }

    private func iniProfile(path: String, tried: inout [String]) async throws(CredentialError) -> ResolvedCredentials? {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            tried.append("\(path): not found")
            return nil
        }
        let section = environment["ALIBABA_CLOUD_PROFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        var current: String?
        var values: [String: String] = [:]
        for raw in text.split(whereSeparator: \.isNewline) {
            // Values are cut at '#', as the Python SDK does, so inline comments work.
            let line =
                raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)?
                .trimmingCharacters(in: .whitespaces) ?? ""
            if line.isEmpty || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                current = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                continue
            }
            guard current == section, let eq = line.firstIndex(of: "=") else { continue }
            values[line[..<eq].trimmingCharacters(in: .whitespaces)] = line[line.index(after: eq)...]
                .trimmingCharacters(in: .whitespaces)
        }
        guard !values.isEmpty else {
            tried.append("\(path): no section [\(section)]")
            return nil
        }
        let type = values["type"] ?? "access_key"
        let label = "\(path) [\(section)] (\(type))"
        switch type {
        case "access_key":
            guard let id = values["access_key_id"], !id.isEmpty, let secret = values["access_key_secret"],
                !secret.isEmpty
            else {
                throw CredentialError("\(label) needs access_key_id and access_key_secret")
            }
            return ResolvedCredentials(
                key: AccessKey(id: id, secret: secret), expiration: nil, source: label, refresher: nil)
        case "ram_role_arn":
            guard let id = values["access_key_id"], let secret = values["access_key_secret"],
                let arn = values["role_arn"]
            else {
                throw CredentialError("\(label) needs access_key_id, access_key_secret and role_arn")
            }
            return try await fetchNamed(
                .assumeRole(
                    source: AccessKey(id: id, secret: secret), roleArn: arn,
                    sessionName: values["role_session_name"] ?? "mediaform-\(Int(clock()))", durationSeconds: 3600,
                    policy: values["policy"], externalId: nil, endpoint: stsEndpoint), source: label)
        case "ecs_ram_role":
            return try await fetchNamed(
                .ecsRole(roleName: values["role_name"], endpoint: metadataEndpoint, allowIMDSv1: imdsV1Allowed),
                source: label)
        default:
            throw CredentialError(
                "\(label): type '\(type)' is not supported by mediaform (access_key, ram_role_arn, ecs_ram_role)")
        }
    }

    private func fetchNamed(_ refresher: Refresher, source: String) async throws(CredentialError) -> ResolvedCredentials
    {
        do {
            var result = try await fetch(refresher)
            result.source = source
            return result
        } catch {
            throw CredentialError("\(source): \(error.message)", tried: error.tried)
        }
    }

    private func fetch(_ refresher: Refresher) async throws(CredentialError) -> ResolvedCredentials {
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
