import Foundation
import MediaformCore

extension CredentialChain {
    func cliProfile(path: String, tried: inout [String]) async throws(CredentialError) -> ResolvedCredentials? {
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

    func iniProfile(path: String, tried: inout [String]) async throws(CredentialError) -> ResolvedCredentials? {
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

}
