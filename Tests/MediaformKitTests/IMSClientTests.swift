import Foundation
import MediaformCore
import MediaformKit
import MediaformTestSupport
import Synchronization
import Testing

/// The client against a scripted HTTP server on 127.0.0.1: wire format, retries, backoff, rate, ambiguity.
@Suite struct IMSClientTests {
    static let key = AccessKey(id: "testid", secret: "testsecret")

    private func client(
        _ server: LoopbackServer, clock: TestClock = TestClock(), rate: Double = 1000,
        retry: RetryPolicy = RetryPolicy(), version: SignatureVersion = .v3
    ) -> IMSClient {
        IMSClient(
            configuration: ClientConfiguration(
                endpoint: server.endpoint, signatureVersion: version, readTimeout: 5, retry: retry),
            credentials: StaticCredentials(Self.key), clock: clock, requestsPerSecond: rate, parallelism: 4,
            random: { 0.5 })
    }

    /// Checks a received V3 request the way the gateway does: recompute the signature from what arrived.
    static func verifyV3(_ request: LoopbackServer.Request, secret: String) -> Bool {
        guard let auth = request.headers["authorization"], let parsed = SignatureV3.parseAuthorization(auth),
            let pairs = PercentEncoding.parseQuery(request.query)
        else { return false }
        let signed = SignatureV3.sign(
            method: request.method, canonicalQuery: PercentEncoding.canonicalQuery(pairs), headers: request.headers,
            signedHeaderNames: parsed.signedHeaders, accessKeyId: parsed.accessKeyId, accessKeySecret: secret)
        return signed.signature == parsed.signature
    }

    @Test func uploadIsSignedPostWithTheCanonicalQueryOnTheWire() async throws {
        let server = try LoopbackServer { _ in
            .json(
                200,
                #"{"RequestId":"r","UploadJobs":[{"JobId":"j1","MediaId":"m1","SourceURL":"https%3A%2F%2Fa.example.com%2Fx%20y.mp4"}]}"#
            )
        }
        let jobs = try await client(server).uploadMediaByURL(
            UploadRequest(
                items: [
                    UploadItem(sourceURL: "https://a.example.com/x%20y.mp4", metadata: ["Title": .string("季度 / Q1")])
                ],
                appId: "app-1000000", userData: .object(["Extend": .object(["mediaform": .string("op-1")])])))
        #expect(jobs == [UploadJob(jobId: "j1", mediaId: "m1", sourceURL: "https%3A%2F%2Fa.example.com%2Fx%20y.mp4")])
        let request = try #require(server.requests.first)
        #expect(request.method == "POST")
        #expect(request.body.isEmpty)
        #expect(request.headers["x-acs-action"] == "UploadMediaByURL")
        #expect(request.headers["x-acs-version"] == "2020-11-09")
        #expect(request.headers["user-agent"]?.hasPrefix("mediaform/") == true)
        #expect(Self.verifyV3(request, secret: "testsecret"))
        #expect(!Self.verifyV3(request, secret: "other"))
        let pairs = try #require(PercentEncoding.parseQuery(request.query))
        #expect(String(request.query) == PercentEncoding.canonicalQuery(pairs))
        let params = Dictionary(pairs, uniquingKeysWith: { a, _ in a })
        #expect(params["UploadURLs"] == "https%3A%2F%2Fa.example.com%2Fx%2520y.mp4")
        #expect(
            params["MediaMetaData"] == #"[{"SourceURL":"https%3A%2F%2Fa.example.com%2Fx%2520y.mp4","Title":"季度 / Q1"}]"#
        )
        #expect(params["UserData"] == #"{"Extend":{"mediaform":"op-1"}}"#)
    }

    @Test func freshNonceAndTimestampForEveryAttemptAndResignOnce() async throws {
        let count = Mutex(0)
        let server = try LoopbackServer { _ in
            count.withLock { $0 += 1 }
            return .json(400, #"{"Code":"SignatureNonceUsed","Message":"Specified signature nonce was used already."}"#)
        }
        await #expect(throws: APIError.self) { try await client(server).getUrlUploadInfos(jobIds: ["j"]) }
        let nonces = server.requests.compactMap { $0.headers["x-acs-signature-nonce"] }
        #expect(nonces.count == 2)
        #expect(Set(nonces).count == 2)
    }

    @Test func throttlingIsRetriedWithBackoffHonouringRetryAfter() async throws {
        let count = Mutex(0)
        let server = try LoopbackServer { _ in
            let n = count.withLock { c -> Int in
                c += 1; return c
            }
            switch n {
            case 1:
                return .json(
                    400, #"{"Code":"Throttling.User","Message":"Request was denied due to user flow control."}"#)
            case 2:
                return .json(
                    400, #"{"Code":"Throttling.User","Message":"slow down"}"#, headers: ["x-acs-retry-after": "3"])
            case 3: return .json(503, #"{"Code":"ServiceUnavailable","Message":"try later"}"#)
            default:
                return .json(
                    200, #"{"URLUploadInfoList":[{"JobId":"j","Status":"SUCCESS","FileSize":24}],"NonExists":[]}"#)
            }
        }
        let clock = TestClock()
        let c = client(server, clock: clock)
        let result = try await c.getUrlUploadInfos(jobIds: ["j"])
        #expect(result.infos.first?.outcome == .succeeded)
        // Full jitter with random = 0.5: throttled base 1 s → 0.5; retry-after 3 s exactly; then 0.5 × 0.1 × 2² = 0.2.
        #expect(clock.sleeps.filter { $0 > 0.01 }.map { ($0 * 1000).rounded() / 1000 } == [0.5, 3, 0.2])
        #expect(c.statistics.retries == 3)
        #expect(c.statistics.throttled == 2)
    }

    @Test func retriesStopAtTheLimit() async throws {
        let server = try LoopbackServer { _ in .json(500, #"{"Code":"InternalError","Message":"boom"}"#) }
        do {
            _ = try await client(server, retry: RetryPolicy(maxAttempts: 3)).getMediaInfo(mediaId: "m")
            Issue.record("no error")
        } catch {
            #expect(error.code == "InternalError")
            #expect(error.errorClass == .retryable)
        }
        #expect(server.requests.count == 3)
    }

    @Test func ambiguousUploadIsNeverRetriedButReadsAre() async throws {
        let server = try LoopbackServer { _ in .drop }
        do {
            _ = try await client(server).uploadMediaByURL(
                UploadRequest(items: [
                    UploadItem(sourceURL: "https://a.example.com/a.mp4", metadata: ["Title": .string("A")])
                ]))
            Issue.record("no error")
        } catch {
            #expect(error.errorClass == .ambiguous)
            #expect(!error.surelyNotExecuted)
        }
        #expect(server.requests.count == 1)
        _ = try? await client(server, retry: RetryPolicy(maxAttempts: 3)).getUrlUploadInfos(jobIds: ["j"])
        #expect(server.requests.count == 4)
    }

    @Test func connectionRefusedIsSurelyNotSentAndRetried() async throws {
        let server = try LoopbackServer { _ in .json(200, "{}") }
        let endpoint = server.endpoint
        server.stop()
        let clock = TestClock()
        let c = IMSClient(
            configuration: ClientConfiguration(endpoint: endpoint, retry: RetryPolicy(maxAttempts: 2)),
            credentials: StaticCredentials(Self.key),
            clock: clock, random: { 0 })
        do {
            _ = try await c.uploadMediaByURL(
                UploadRequest(items: [UploadItem(sourceURL: "https://a.example.com/a.mp4", metadata: [:])]))
            Issue.record("no error")
        } catch {
            #expect(error.errorClass == .retryable)
            #expect(error.surelyNotExecuted)
        }
        #expect(c.statistics.requests == 2)
    }

    @Test func sharedRateLimitPacesConcurrentCalls() async throws {
        let server = try LoopbackServer { _ in .json(200, #"{"MediaId":"m"}"#) }
        let clock = TestClock()
        let c = client(server, clock: clock, rate: 10)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<20 {
                group.addTask {
                    try await c.updateMediaInfo(
                        mediaId: "m\(i)", title: "t", description: nil, tags: [], cateId: nil, coverURL: nil)
                }
            }
            try await group.waitForAll()
        }
        #expect(server.requests.count == 20)
        // 20 requests at 10/s with a burst of one cannot take less than 1.9 s of (virtual) time, plus the 1 % margin.
        #expect(clock.elapsed >= 1.9 * 1.01 - 1e-9)
        // Sequential calls are spaced 1/rate apart and 1 % more.
        let sequentialClock = TestClock()
        let paced = client(server, clock: sequentialClock, rate: 2)
        for i in 0..<5 {
            try await paced.updateMediaInfo(
                mediaId: "s\(i)", title: "t", description: nil, tags: [], cateId: nil, coverURL: nil)
        }
        #expect(abs(sequentialClock.elapsed - 2.0 * 1.01) < 1e-9)
    }

    @Test func aThrottlingAnswerWidensTheSpacing() async throws {
        let answers = Mutex(0)
        let server = try LoopbackServer { _ in
            let n = answers.withLock { n in
                n += 1
                return n
            }
            return n == 2
                ? .json(400, #"{"Code":"Throttling.User","Message":"Request was denied due to user flow control."}"#)
                : .json(200, #"{"MediaId":"m"}"#)
        }
        let clock = TestClock()
        let c = client(server, clock: clock, rate: 10)
        #expect(await c.rateLimiter.margin == 0.01)
        try await c.updateMediaInfo(mediaId: "a", title: "t", description: nil, tags: [], cateId: nil, coverURL: nil)
        try await c.updateMediaInfo(mediaId: "b", title: "t", description: nil, tags: [], cateId: nil, coverURL: nil)
        #expect(server.requests.count == 3)
        #expect(c.statistics.throttled == 1)
        // Widened by one step (0.02), then narrowed by a fiftieth of one by the successful answer.
        #expect(abs(await c.rateLimiter.margin - (0.03 - 0.02 / 50)) < 1e-12)
        // Fifty successful answers more take it back to the margin it started with, and no further.
        for i in 0..<60 {
            try await c.updateMediaInfo(
                mediaId: "m\(i)", title: "t", description: nil, tags: [], cateId: nil, coverURL: nil)
        }
        #expect(await c.rateLimiter.margin == 0.01)
    }

    @Test func v1RequestsAreSignedAndVerifiable() async throws {
        let server = try LoopbackServer { _ in
            .json(
                200,
                #"{"MediaInfos":[{"MediaId":"m","MediaBasicInfo":{"Title":"T","MediaTags":"a,b","CateId":"12"}}],"IgnoredList":["x"]}"#
            )
        }
        let result = try await client(server, version: .v1).batchGetMediaInfos(mediaIds: ["m", "x"])
        #expect(result.infos.first?.tags == ["a", "b"])
        #expect(result.infos.first?.cateId == 12)
        #expect(result.ignored == ["x"])
        let request = try #require(server.requests.first)
        var pairs = try #require(PercentEncoding.parseQuery(request.query))
        let signature = pairs.first { $0.name == "Signature" }?.value
        pairs.removeAll { $0.name == "Signature" }
        let expected = SignatureV1.signature(
            stringToSign: SignatureV1.stringToSign(method: "POST", parameters: pairs), accessKeySecret: "testsecret")
        #expect(signature == expected)
    }

    @Test func serviceErrorsAreParsedAndClassifiedByCodeNotStatus() async throws {
        let server = try LoopbackServer { _ in
            .json(
                404,
                #"{"RequestId":"R-1","HostId":"ice.cn-shanghai.aliyuncs.com","Code":"InvalidAccessKeyId.NotFound","Message":"Specified access key is not found.","Recommend":"https://api.aliyun.com/troubleshoot?q=InvalidAccessKeyId.NotFound"}"#
            )
        }
        do {
            _ = try await client(server).getMediaInfo(mediaId: "m")
            Issue.record("no error")
        } catch {
            guard case .service(let e) = error else { Issue.record("\(error)"); return }
            #expect(e.requestId == "R-1" && e.hostId == "ice.cn-shanghai.aliyuncs.com" && e.recommend != nil)
            #expect(
                error.description
                    == "InvalidAccessKeyId.NotFound: Specified access key is not found. (HTTP 404, request R-1)")
        }
        // Refreshed once (static credentials stay the same), then given up.
        #expect(server.requests.count == 2)
    }

    @Test(arguments: [
        ("MissingParameter", 400, ErrorClass.fatal), ("MissingParameter.UploadURLs", 400, .fatal),
        ("InvalidParameter", 400, .fatal), ("InvalidParameter.UploadURLs", 400, .fatal),
        ("InvalidAction.NotFound", 404, .fatal), ("InvalidVersion", 400, .fatal),
        ("SignatureDoesNotMatch", 400, .fatal),
        ("IncompleteSignature", 400, .fatal), ("InvalidAccessKeyId.NotFound", 404, .refreshCredentials),
        ("InvalidAccessKeyId.Inactive", 400, .fatal), ("InvalidTimeStamp.Expired", 400, .resign),
        ("InvalidTimeStamp.Format", 400, .fatal), ("SignatureNonceUsed", 400, .resign),
        ("InvalidSecurityToken.Expired", 400, .refreshCredentials),
        ("InvalidSecurityToken.Malformed", 400, .refreshCredentials),
        ("InvalidSecurityToken.MismatchWithAccessKey", 403, .refreshCredentials), ("Forbidden.RAM", 403, .fatal),
        ("Forbidden", 403, .fatal), ("OperationDenied", 403, .fatal), ("OperationDenied.Suspended", 403, .fatal),
        ("Throttling", 400, .retryable), ("Throttling.User", 400, .retryable), ("Throttling.Api", 400, .retryable),
        ("ServiceUnavailable", 503, .retryable), ("ServiceUnAvailable", 503, .retryable),
        ("InternalError", 500, .retryable),
        ("UnknownError", 500, .retryable),
    ])
    func classification(_ code: String, _ status: Int, _ expected: ErrorClass) {
        #expect(APIError.classify(code: code, status: status) == expected)
        #expect(APIError.service(ServiceError(code: code, message: "m", httpStatus: status)).errorClass == expected)
    }

    @Test func uploadStatusesAreInterpretedLeniently() {
        func info(_ status: String, _ code: String? = nil) -> URLUploadInfo {
            URLUploadInfo(
                jobId: "j", uploadURL: "u", mediaId: nil, status: status, errorCode: code, errorMessage: nil,
                userData: nil, creationTime: nil, completeTime: nil)
        }
        #expect(info("SUCCESS").outcome == .succeeded)
        #expect(info("Normal", "200").outcome == .succeeded)
        #expect(info("UPLOAD_FAIL").outcome == .failed)
        #expect(info("DOWNLOAD_FAIL").outcome == .failed)
        #expect(info("PENDING").outcome == .running)
        #expect(info("SomethingNew").outcome == .running)
        #expect(info("PROCESSING", "URLInvalidError").outcome == .failed)
        #expect(Timestamps.parse("2021-11-26 21:47:37") == Timestamps.parse("2021-11-26T21:47:37Z"))
        #expect(Timestamps.parse("2021-11-07T10:03:37Z") != nil)
        #expect(Timestamps.parse("2021-11-07T10:03:37.123Z") != nil)
    }
}

/// Requests signed by mediaform, captured for an independent check by the official Python SDK's own signing code
/// (`Scripts/verify-with-sdk.py`, run by `Scripts/test`, which sets `MEDIAFORM_CAPTURE_DIR`).
@Suite struct SDKCaptureTests {
    @Test func captureSignedRequests() async throws {
        let server = try LoopbackServer { _ in .json(200, #"{"UploadJobs":[],"URLUploadInfoList":[],"NonExists":[]}"#) }
        let item = UploadItem(
            sourceURL: "https://example.com/media/a b,c~d*e.mp4",
            metadata: ["Title": .string("季度回顾 / Q1 review, part 1 ~ *final*"), "Tags": .string("演示,tag two")])
        for (version, token) in [
            (SignatureVersion.v3, nil), (.v3, "sts-token/+=="), (.v1, nil), (.v1, "sts-token/+=="),
        ] as [(SignatureVersion, String?)] {
            let c = IMSClient(
                configuration: ClientConfiguration(endpoint: server.endpoint, signatureVersion: version),
                credentials: StaticCredentials(AccessKey(id: "testid", secret: "testsecret", securityToken: token)),
                clock: TestClock())
            _ = try await c.uploadMediaByURL(
                UploadRequest(
                    items: [item], appId: "app-1000000",
                    userData: .object(["Extend": .object(["key": .string("a/b c")])])))
            _ = try await c.getUrlUploadInfos(jobIds: ["job-1", "job-2"])
        }
        #expect(server.requests.count == 8)
        guard let dir = ProcessInfo.processInfo.environment["MEDIAFORM_CAPTURE_DIR"] else { return }
        var lines = ""
        for request in server.requests {
            let pairs = PercentEncoding.parseQuery(request.query) ?? []
            let record = JSONValue.object([
                "method": .string(request.method),
                "query": .array(pairs.map { .array([.string($0.name), .string($0.value)]) }),
                "headers": .object(request.headers.mapValues(JSONValue.string)),
                "secret": .string("testsecret"),
            ])
            lines += record.canonicalJSON + "\n"
        }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try lines.write(toFile: dir + "/signed-requests.jsonl", atomically: true, encoding: .utf8)
    }
}
