import Foundation
import MediaformCore

/// How the emulator behaves (docs/design.md §7). Everything that makes it differ from IMS is a fault you switch on.
public struct EmulatorConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port.
    public var port: Int
    /// Where jobs and media persist across restarts; nil keeps everything in memory.
    public var dataDirectory: String?
    /// The only key pair the emulator accepts.
    public var accessKeyId: String
    public var accessKeySecret: String
    /// When set, requests must carry this STS token (`x-acs-security-token` / `SecurityToken`).
    public var securityToken: String?
    /// Seconds from submission until a job ends.
    public var processDelay: Double
    /// Requests per second above which the emulator answers `Throttling.User`; nil for no limit.
    public var rateLimit: Double?
    /// Share of requests answered 503 `ServiceUnavailable` or 500 `InternalError` before doing anything.
    public var errorRate: Double
    /// Share of requests answered `Throttling.User` (HTTP 400) at random, whatever the rate.
    public var throttleRate: Double
    /// Share of `UploadMediaByURL` calls committed and then left unanswered: the connection is closed, so the
    /// client cannot know whether the upload happened (the ambiguous failure apply must survive).
    public var dropRate: Double
    /// Seconds added before every answer.
    public var latency: Double
    /// Fetch sources on 127.0.0.1 when a job runs; a source that cannot be fetched fails with `URLInvalidError`.
    /// Sources elsewhere are not fetched (the emulator treats them as reachable).
    public var checkSources: Bool
    /// Signs callbacks with `X-ICE-TIMESTAMP` / `X-ICE-SIGNATURE` when set.
    public var callbackAuthKey: String?
    /// Allowed clock skew for request timestamps (the gateway's is 15 minutes).
    public var allowedSkew: Double
    /// Actions answered 403 `Forbidden.RAM`, as IMS answers a RAM user without the permission.
    public var deny: Set<String> = []
    /// Unix time; injected by tests that step job lifecycles without sleeping.
    public var clock: @Sendable () -> Double

    public init(
        host: String = "127.0.0.1", port: Int = 0, dataDirectory: String? = nil,
        accessKeyId: String = EmulatorConfiguration.defaultAccessKeyId,
        accessKeySecret: String = EmulatorConfiguration.defaultAccessKeySecret, securityToken: String? = nil,
        processDelay: Double = 2, rateLimit: Double? = nil, errorRate: Double = 0, throttleRate: Double = 0,
        dropRate: Double = 0,
        latency: Double = 0,
        checkSources: Bool = false, callbackAuthKey: String? = nil, allowedSkew: Double = 15 * 60,
        clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.accessKeyId = accessKeyId
        self.accessKeySecret = accessKeySecret
        self.securityToken = securityToken
        self.processDelay = processDelay
        self.rateLimit = rateLimit
        self.errorRate = errorRate
        self.throttleRate = throttleRate
        self.dropRate = dropRate
        self.latency = latency
        self.checkSources = checkSources
        self.callbackAuthKey = callbackAuthKey
        self.allowedSkew = allowedSkew
        self.clock = clock
    }

    /// The emulator's default key pair: not a secret, printed on start (and what `endpoint: emulator` uses).
    public static let defaultAccessKeyId = "EMULATORKEYID"
    public static let defaultAccessKeySecret = "emulator-secret-not-for-production"
}
