import Foundation
import MediaformCore

/// The default credential chain, in the official SDK's order (docs/ims-api.md §8.1):
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
    var cached: ResolvedCredentials?

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

    var stsEndpoint: String {
        if let e = environment["MEDIAFORM_STS_ENDPOINT"], !e.isEmpty { return e }
        if let region = environment["ALIBABA_CLOUD_STS_REGION"], !region.isEmpty {
            return "https://sts.\(region).aliyuncs.com"
        }
        return "https://sts.aliyuncs.com"
    }

    var metadataEndpoint: String { environment["MEDIAFORM_ECS_METADATA_ENDPOINT"] ?? "http://100.100.100.200" }
    var imdsV1Allowed: Bool { environment["ALIBABA_CLOUD_IMDSV1_DISABLED"]?.lowercased() != "true" }

}
