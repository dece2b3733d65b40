import Foundation
import MediaformCore
import MediaformKit
import MediaformTestSupport
import Synchronization
import Testing

/// The credential chain with a temporary HOME holding each file format and mode; STS and the ECS metadata service
/// are scripted servers on 127.0.0.1. No secret may appear in any error message.
@Suite struct CredentialChainTests {
    static let secrets = [
        "SECRET-ENV", "SECRET-CLI", "SECRET-INI", "SECRET-SOURCE", "SECRET-STS", "TOKEN-STS", "TOKEN-CLI", "SECRET-ECS",
        "TOKEN-ECS",
    ]

    private func home() throws -> URL {
        let dir = try Fixtures.temporaryDirectory("home")
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent(".aliyun"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent(".alibabacloud"), withIntermediateDirectories: true)
        return dir
    }

    private func write(_ text: String, _ path: String, in home: URL) throws {
        try text.write(to: home.appendingPathComponent(path), atomically: true, encoding: .utf8)
    }

    private func chain(_ home: URL, env: [String: String] = [:], profile: String? = nil, now: Double = 1_800_000_000)
        -> CredentialChain
    {
        CredentialChain(
            environment: env, home: home.path, profile: profile, transport: HTTPClientTransport.shared, clock: { now })
    }

    private func expectNoSecrets(_ text: String) {
        for secret in Self.secrets { #expect(!text.contains(secret), "leaked \(secret)") }
    }

    @Test func environmentComesFirst() async throws {
        let h = try home()
        try write(
            #"{"current":"default","profiles":[{"name":"default","mode":"AK","access_key_id":"CLI","access_key_secret":"SECRET-CLI"}]}"#,
            ".aliyun/config.json", in: h)
        let env = [
            "ALIBABA_CLOUD_ACCESS_KEY_ID": "ENV", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "SECRET-ENV",
            "ALIBABA_CLOUD_SECURITY_TOKEN": "TOKEN-ENV",
        ]
        let c = try await chain(h, env: env).credentials()
        #expect(c.key == AccessKey(id: "ENV", secret: "SECRET-ENV", securityToken: "TOKEN-ENV"))
        #expect(c.source == "environment")
        expectNoSecrets("\(c.key)")
    }

    @Test func cliProfilesAKAndStsTokenWithProfileSelection() async throws {
        let h = try home()
        try write(
            """
            {"current": "default", "profiles": [
              {"name": "default", "mode": "AK", "access_key_id": "CLI", "access_key_secret": "SECRET-CLI", "region_id": "cn-shanghai"},
              {"name": "sts", "mode": "StsToken", "access_key_id": "STSID", "access_key_secret": "SECRET-CLI", "sts_token": "TOKEN-CLI", "region_id": "cn-shanghai"}
            ]}
            """, ".aliyun/config.json", in: h)
        #expect(try await chain(h).credentials().key.id == "CLI")
        let sts = try await chain(h, env: ["ALIBABA_CLOUD_PROFILE": "sts"]).credentials()
        #expect(sts.key == AccessKey(id: "STSID", secret: "SECRET-CLI", securityToken: "TOKEN-CLI"))
        #expect(sts.source == "aliyun CLI profile 'sts' (StsToken)")
        // --profile wins over the environment variable.
        #expect(
            try await chain(h, env: ["ALIBABA_CLOUD_PROFILE": "sts"], profile: "default").credentials().key.id == "CLI")
    }

    @Test func ramRoleArnAssumesTheRoleWithAV1SignedRequestAndRefreshesBeforeExpiry() async throws {
        let calls = Mutex(0)
        let sts = try LoopbackServer { request in
            let n = calls.withLock { c -> Int in
                c += 1; return c
            }
            // Expires in 200 s: inside the 5-minute margin, so the next use refreshes.
            return .json(
                200,
                #"{"RequestId":"r","Credentials":{"AccessKeyId":"STS.\#(n)","AccessKeySecret":"SECRET-STS","SecurityToken":"TOKEN-STS","Expiration":"2027-01-15T08:03:20Z"}}"#
            )
        }
        let h = try home()
        try write(
            """
            {"current": "ci", "profiles": [{"name": "ci", "mode": "RamRoleArn", "access_key_id": "SOURCE", "access_key_secret": "SECRET-SOURCE",
              "ram_role_arn": "acs:ram::123:role/media", "ram_session_name": "ci-run", "region_id": "cn-shanghai"}]}
            """, ".aliyun/config.json", in: h)
        let now = try #require(Timestamps.parse("2027-01-15T08:00:00Z"))
        let c = chain(h, env: ["MEDIAFORM_STS_ENDPOINT": sts.endpoint], now: now)
        let first = try await c.credentials()
        #expect(first.key == AccessKey(id: "STS.1", secret: "SECRET-STS", securityToken: "TOKEN-STS"))
        #expect(first.source == "aliyun CLI profile 'ci' (RamRoleArn)")
        let second = try await c.credentials()
        #expect(second.key.id == "STS.2")
        let request = try #require(sts.requests.first)
        #expect(request.method == "GET")
        var pairs = try #require(PercentEncoding.parseQuery(request.query))
        let params = Dictionary(pairs, uniquingKeysWith: { a, _ in a })
        #expect(
            params["Action"] == "AssumeRole" && params["RoleArn"] == "acs:ram::123:role/media"
                && params["RoleSessionName"] == "ci-run")
        #expect(params["AccessKeyId"] == "SOURCE" && params["DurationSeconds"] == "3600")
        let signature = params["Signature"]
        pairs.removeAll { $0.name == "Signature" }
        #expect(
            signature
                == SignatureV1.signature(
                    stringToSign: SignatureV1.stringToSign(method: "GET", parameters: pairs),
                    accessKeySecret: "SECRET-SOURCE"))
    }

    @Test func refusedAssumeRoleNamesTheErrorButNoSecret() async throws {
        let sts = try LoopbackServer { _ in
            .json(
                403, #"{"Code":"NoPermission","Message":"You are not authorized to do this action.","RequestId":"R"}"#)
        }
        let h = try home()
        try write(
            """
            [ci]
            type = ram_role_arn
            access_key_id = SOURCE
            access_key_secret = SECRET-SOURCE   # inline comment
            role_arn = acs:ram::123:role/media
            role_session_name = s
            """, ".alibabacloud/credentials", in: h)
        do {
            _ = try await chain(h, env: ["MEDIAFORM_STS_ENDPOINT": sts.endpoint, "ALIBABA_CLOUD_PROFILE": "ci"])
                .credentials()
            Issue.record("no error")
        } catch {
            #expect(error.description.contains("NoPermission"))
            #expect(error.description.contains("[ci] (ram_role_arn)"))
            expectNoSecrets(error.description)
        }
    }

    @Test func ecsRamRoleUsesAnIMDSv2Token() async throws {
        let imds = try LoopbackServer { request in
            switch (request.method, String(request.path)) {
            case ("PUT", "/latest/api/token"):
                return request.headers["x-aliyun-ecs-metadata-token-ttl-seconds"] == "21600"
                    ? .respond(status: 200, headers: [:], body: "IMDS-TOKEN")
                    : .respond(status: 400, headers: [:], body: "")
            case ("GET", "/latest/meta-data/ram/security-credentials/media-role"):
                guard request.headers["x-aliyun-ecs-metadata-token"] == "IMDS-TOKEN" else {
                    return .respond(status: 401, headers: [:], body: "")
                }
                return .json(
                    200,
                    #"{"Code":"Success","AccessKeyId":"ECS","AccessKeySecret":"SECRET-ECS","SecurityToken":"TOKEN-ECS","Expiration":"2099-01-01T00:00:00Z"}"#
                )
            default:
                return .respond(status: 404, headers: [:], body: "")
            }
        }
        let h = try home()
        try write(
            #"{"current":"ecs","profiles":[{"name":"ecs","mode":"EcsRamRole","ram_role_name":"media-role","region_id":"cn-shanghai"}]}"#,
            ".aliyun/config.json", in: h)
        let c = try await chain(h, env: ["MEDIAFORM_ECS_METADATA_ENDPOINT": imds.endpoint]).credentials()
        #expect(c.key == AccessKey(id: "ECS", secret: "SECRET-ECS", securityToken: "TOKEN-ECS"))
        #expect(imds.requests.map(\.method) == ["PUT", "GET"])
    }

    @Test func iniAccessKeyFromTheDefaultSection() async throws {
        let h = try home()
        try write(
            "[default]\ntype = access_key\naccess_key_id = INI\naccess_key_secret = SECRET-INI\n",
            ".alibabacloud/credentials", in: h)
        let c = try await chain(h).credentials()
        #expect(c.key == AccessKey(id: "INI", secret: "SECRET-INI"))
    }

    @Test func nothingFoundNamesEverySourceTried() async throws {
        let h = try home()
        do {
            _ = try await chain(h, env: ["ALIBABA_CLOUD_ACCESS_KEY_ID": "HALF"]).credentials()
            Issue.record("no error")
        } catch {
            #expect(error.tried.count == 4)
            #expect(error.tried[0].contains("only one of ALIBABA_CLOUD_ACCESS_KEY_ID"))
            #expect(error.tried[1].hasSuffix(".aliyun/config.json: not found"))
            #expect(error.tried[2].hasSuffix(".alibabacloud/credentials: not found"))
            #expect(error.tried[3].contains("ALIBABA_CLOUD_ECS_METADATA"))
        }
    }

    @Test func brokenProfilesFailWithoutShowingSecrets() async throws {
        let h = try home()
        try write(
            #"{"current":"x","profiles":[{"name":"x","mode":"StsToken","access_key_id":"ID","access_key_secret":"SECRET-CLI"}]}"#,
            ".aliyun/config.json", in: h)
        do {
            _ = try await chain(h).credentials()
            Issue.record("no error")
        } catch {
            #expect(error.description.contains("needs access_key_id, access_key_secret and sts_token"))
            expectNoSecrets(error.description)
        }
        try write(
            #"{"current":"x","profiles":[{"name":"x","mode":"CloudSSO","access_key_id":"ID","access_key_secret":"SECRET-CLI"}]}"#,
            ".aliyun/config.json", in: h)
        do {
            _ = try await chain(h).credentials()
            Issue.record("no error")
        } catch {
            #expect(error.description.contains("mode 'CloudSSO'"))
            expectNoSecrets(error.description)
        }
    }
}
