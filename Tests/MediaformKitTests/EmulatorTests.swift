import Foundation
import MediaformCore
import MediaformEmulator
import MediaformKit
import MediaformTestSupport
import Synchronization
import Testing

/// The client against the emulator over real HTTP on 127.0.0.1.
@Suite struct EmulatorTests {
    static let key = AccessKey(
        id: EmulatorConfiguration.defaultAccessKeyId, secret: EmulatorConfiguration.defaultAccessKeySecret)

    private func start(_ configuration: EmulatorConfiguration = EmulatorConfiguration(processDelay: 0.3)) async throws
        -> EmulatorServer
    {
        let server = try EmulatorServer(configuration: configuration)
        try await server.start()
        return server
    }

    private func client(
        _ server: EmulatorServer, key: AccessKey = EmulatorTests.key, version: SignatureVersion = .v3,
        retry: RetryPolicy = RetryPolicy(), timestamp: (@Sendable () -> String)? = nil
    ) -> IMSClient {
        IMSClient(
            configuration: ClientConfiguration(
                endpoint: server.endpoint, signatureVersion: version, readTimeout: 30, retry: retry),
            credentials: StaticCredentials(key), requestsPerSecond: 1000, timestamp: timestamp ?? Timestamps.now)
    }

    private func item(_ name: String, title: String = "Title") -> UploadItem {
        UploadItem(
            sourceURL: "https://media.example.com/\(name)",
            metadata: ["Title": .string(title), "Tags": .string("a,b"), "CateId": .string("7")])
    }

    private func code(_ body: () async throws -> Void) async -> String? {
        do {
            try await body()
            return nil
        } catch let error as APIError {
            return error.code
        } catch {
            return "\(error)"
        }
    }

    @Test func uploadTrackReadUpdateListAndDelete() async throws {
        // The emulator's clock is stepped by hand: job lifecycles without sleeping, and without timing flakes.
        let offset = Mutex(0.0)
        let server = try await start(
            EmulatorConfiguration(processDelay: 60, clock: { Date().timeIntervalSince1970 + offset.withLock { $0 } }))
        defer { Task { await server.stop() } }
        for version in SignatureVersion.allCases {
            let c = client(server, version: version)
            let jobs = try await c.uploadMediaByURL(
                UploadRequest(items: [item("a-\(version).mp4"), item("b c-\(version).mp3")], appId: "app-1000000"))
            #expect(jobs.count == 2)
            let first = try await c.getUrlUploadInfos(jobIds: jobs.map(\.jobId) + ["missing"])
            #expect(first.infos.map(\.outcome) == [.running, .running])
            #expect(first.nonExists == ["missing"])
            offset.withLock { $0 += 61 }
            let done = try await c.getUrlUploadInfos(uploadURLs: ["https://media.example.com/b c-\(version).mp3"])
            #expect(done.infos.map(\.outcome) == [.succeeded])
            #expect(done.infos.first?.mediaId == jobs[1].mediaId)
            let mediaId = try #require(jobs[0].mediaId)
            try await c.updateMediaInfo(
                mediaId: mediaId, title: "New", description: "D", tags: ["x"], cateId: 9, coverURL: nil)
            let info = try #require(try await c.getMediaInfo(mediaId: mediaId))
            #expect(info.title == "New" && info.tags == ["x"] && info.cateId == 9 && info.status == "Normal")
            let deleted = try await c.deleteMediaInfos(mediaIds: [mediaId, "nope"])
            #expect(deleted.ignored == ["nope"])
            #expect(try await c.getMediaInfo(mediaId: mediaId) == nil)
        }
        let c = client(server)
        let page = try await c.listMediaBasicInfos(maxResults: 1)
        #expect(page.infos.count == 1 && page.nextToken != nil && page.total == 2)
        let rest = try await c.listMediaBasicInfos(nextToken: page.nextToken, maxResults: 10)
        #expect(rest.infos.count == 1 && rest.nextToken == nil)
    }

    @Test func listingFiltersAndSortsAndEditsSetModifiedTimeAndDeniedActionsAre403() async throws {
        let offset = Mutex(0.0)
        let base = Date().timeIntervalSince1970.rounded()
        var configuration = EmulatorConfiguration(processDelay: 0, clock: { base + offset.withLock { $0 } })
        configuration.deny = ["DeleteMediaInfos"]
        let server = try await start(configuration)
        defer { Task { await server.stop() } }
        let c = client(server)
        var ids: [String] = []
        for name in ["one.mp4", "two.mp3", "three.mp4"] {
            offset.withLock { $0 += 10 }
            ids += try await c.uploadMediaByURL(UploadRequest(items: [item(name)])).compactMap(\.mediaId)
        }
        let newest = try await c.listMediaBasicInfos()
        #expect(newest.infos.map(\.mediaId) == ids.reversed())
        let oldest = try await c.listMediaBasicInfos(sortBy: "asc")
        #expect(oldest.infos.map(\.mediaId) == ids)
        let videos = try await c.listMediaBasicInfos(sortBy: "asc", mediaType: "video")
        #expect(videos.infos.map(\.mediaId) == [ids[0], ids[2]] && videos.total == 2)
        #expect(try await c.listMediaBasicInfos(status: "PrepareFail").infos.isEmpty)

        offset.withLock { $0 += 100 }
        try await c.updateMediaInfo(
            mediaId: ids[1], title: "Edited", description: nil, tags: [], cateId: nil, coverURL: nil)
        let edited = try #require(try await c.getMediaInfo(mediaId: ids[1]))
        let untouched = try #require(try await c.getMediaInfo(mediaId: ids[0]))
        let iso = { (t: Double) in Date(timeIntervalSince1970: t).formatted(.iso8601) }
        #expect(edited.modifiedTime == iso(base + 130) && edited.createTime == iso(base + 20))
        #expect(untouched.modifiedTime == untouched.createTime)

        #expect(await code { _ = try await c.deleteMediaInfos(mediaIds: [ids[0]]) } == "Forbidden.RAM")
        #expect(try await c.getMediaInfo(mediaId: ids[0]) != nil)
    }

    @Test func authenticationLikeTheGateway() async throws {
        let server = try await start()
        defer { Task { await server.stop() } }
        #expect(
            await code {
                _ = try await self.client(server, key: AccessKey(id: EmulatorTests.key.id, secret: "wrong"))
                    .getUrlUploadInfos(jobIds: ["j"])
            } == "SignatureDoesNotMatch")
        #expect(
            await code {
                _ = try await self.client(server, key: AccessKey(id: "unknown", secret: "x"), version: .v1)
                    .getUrlUploadInfos(jobIds: ["j"])
            } == "InvalidAccessKeyId.NotFound")
        #expect(
            await code {
                _ = try await self.client(server, timestamp: { Date().addingTimeInterval(-3600).formatted(.iso8601) })
                    .getUrlUploadInfos(jobIds: ["j"])
            } == "InvalidTimeStamp.Expired")
        // The same signed request twice: the nonce is refused the second time.
        let request = RequestSigner.sign(
            action: "GetUrlUploadInfos", parameters: [("JobIds", "j")], endpoint: server.endpoint,
            host: String(server.endpoint.dropFirst("http://".count)), credentials: Self.key,
            timestamp: Timestamps.now(),
            nonce: "fixed-nonce-\(UUID().uuidString)", userAgent: "test")
        let transport = HTTPClientTransport.shared
        let http = HTTPRequest(method: request.method, url: request.url, headers: request.headers, timeout: 5)
        #expect(try await transport.send(http).status == 200)
        let replay = try await transport.send(http)
        #expect(replay.status == 400)
        #expect(String(decoding: replay.body, as: UTF8.self).contains("SignatureNonceUsed"))
    }

    @Test func stsTokenIsRequiredWhenConfigured() async throws {
        let server = try await start(EmulatorConfiguration(securityToken: "sts-token"))
        defer { Task { await server.stop() } }
        #expect(
            await code { _ = try await self.client(server).getUrlUploadInfos(jobIds: ["j"]) }
                == "InvalidSecurityToken.Malformed")
        let withToken = AccessKey(id: Self.key.id, secret: Self.key.secret, securityToken: "sts-token")
        #expect(
            await code { _ = try await self.client(server, key: withToken).getUrlUploadInfos(jobIds: ["j"]) } == nil)
        #expect(
            await code {
                _ = try await self.client(server, key: withToken, version: .v1).getUrlUploadInfos(jobIds: ["j"])
            } == nil)
    }

    @Test func validationLikeTheAPI() async throws {
        let server = try await start()
        defer { Task { await server.stop() } }
        let c = client(server)
        let tooMany = (0..<21).map { item("n\($0).mp4") }
        // The client refuses 21 locally; send it raw to see the emulator refuse too.
        let parameters = UploadRequest(items: tooMany).parameters
        #expect(
            await code { _ = try await c.call("UploadMediaByURL", parameters, idempotent: false) }
                == "InvalidParameter.UploadURLs")
        #expect(
            await code {
                _ = try await c.uploadMediaByURL(UploadRequest(items: [self.item("e.mp4", title: "Launch 🚀")]))
            } == "InvalidParameter.Title")
        #expect(
            await code { _ = try await c.uploadMediaByURL(UploadRequest(items: [self.item("poster.jpg")])) }
                == "InvalidParameter.UploadURLs")
        #expect(
            await code {
                _ = try await c.call(
                    "UploadMediaByURL",
                    [
                        ("UploadURLs", "https%3A%2F%2Fm.example.com%2Fa.mp4"),
                        ("MediaMetaData", #"[{"SourceURL":"https://other.example.com/b.mp4","Title":"x"}]"#),
                    ], idempotent: false)
            } == "InvalidParameter.MediaMetaData")
        #expect(
            await code { _ = try await c.call("GetUrlUploadInfos", [], idempotent: true) } == "MissingParameter.JobIds")
        #expect(await code { _ = try await c.call("NoSuchAction", [], idempotent: true) } == "InvalidAction.NotFound")
        let jobs = await server.service.introspection()
        #expect(jobs["jobCount"]?.intValue == 0)
    }

    @Test func throttlingIsRetriedAndDroppedUploadsAreAmbiguousButCommitted() async throws {
        let server = try await start(EmulatorConfiguration(processDelay: 0.1, rateLimit: 1, dropRate: 1))
        defer { Task { await server.stop() } }
        // Retries are jittered: enough of them that the 1-request-a-second window always reopens in time.
        let c = client(
            server, retry: RetryPolicy(maxAttempts: 20, baseDelay: 0.2, throttledBaseDelay: 0.3, maxDelay: 1))
        for _ in 0..<6 { _ = try await c.getUrlUploadInfos(jobIds: ["j"]) }
        #expect(c.statistics.throttled >= 1)
        do {
            _ = try await c.uploadMediaByURL(UploadRequest(items: [item("dropped.mp4")]))
            Issue.record("no error")
        } catch {
            #expect(error.errorClass == .ambiguous)
        }
        let jobs = await server.service.introspection()
        #expect(jobs["jobCount"]?.intValue == 1)
    }

    @Test func dataSurvivesARestart() async throws {
        let dir = try Fixtures.temporaryDirectory("emulator-data")
        let first = try await start(EmulatorConfiguration(dataDirectory: dir.path, processDelay: 0.1))
        let jobs = try await client(first).uploadMediaByURL(UploadRequest(items: [item("kept.mp4")]))
        await first.stop()
        let second = try await start(EmulatorConfiguration(dataDirectory: dir.path, processDelay: 0.1))
        defer { Task { await second.stop() } }
        let infos = try await client(second).getUrlUploadInfos(jobIds: jobs.map(\.jobId))
        #expect(infos.infos.count == 1 && infos.nonExists.isEmpty)
    }

    @Test func callbackIsPostedAndSigned() async throws {
        let received = Mutex<[LoopbackServer.Request]>([])
        let receiver = try LoopbackServer { request in
            received.withLock { $0.append(request) }
            return .respond(status: 200, headers: [:], body: "")
        }
        let server = try await start(EmulatorConfiguration(processDelay: 0.1, callbackAuthKey: "Key123"))
        defer { Task { await server.stop() } }
        let callback = receiver.endpoint + "/hook"
        _ = try await client(server).uploadMediaByURL(
            UploadRequest(
                items: [item("cb.mp4")],
                userData: .object(["MessageCallback": .object(["CallbackURL": .string(callback)])])))
        let deadline = Date().addingTimeInterval(5)
        while received.withLock({ $0.isEmpty }) && Date() < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
        let event = try #require(received.withLock { $0.first })
        let body = try JSONParser.parse(event.body)
        #expect(body["EventType"]?.stringValue == "UploadByURLComplete")
        #expect(body["MessageBody"]?["Status"]?.stringValue == "Success")
        let timestamp = try #require(event.headers["x-ice-timestamp"])
        #expect(event.headers["x-ice-signature"] == Digest.hex(Digest.hash(.md5, "\(callback)|\(timestamp)|Key123")))
    }
}
