import Foundation
import MediaformCore

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
