import Foundation
import MediaformCore
import MediaformKit
import MediaformTestSupport
import Testing

/// `--check-sources` against a local HTTP server on 127.0.0.1: good media, HTML, 404, redirects, a server that
/// refuses HEAD, a slow one, wrong lengths, and signed URLs that expired or expire soon (issue 16, part 1).
@Suite struct SourceCheckingTests {
    /// Media of 1000 bytes, and everything that can be wrong with a source.
    private func server() throws -> LoopbackServer {
        try LoopbackServer { request in
            let head = request.method == "HEAD"
            let media = ["Content-Type": "video/mp4", "Content-Length": "1000"]
            switch request.path {
            case "/good.mp4", "/signed.mp4": return .respond(status: 200, headers: media, body: head ? "" : "x")
            case "/page.mp4":
                return .respond(
                    status: 200, headers: ["Content-Type": "text/html; charset=utf-8"], body: "<html>login</html>")
            case "/api.mp4": return .json(200, "{}")
            case "/missing.mp4": return .respond(status: 404, headers: [:], body: "not found")
            case "/moved.mp4": return .respond(status: 302, headers: ["Location": "/hop/good.mp4"], body: "")
            case "/hop/good.mp4": return .respond(status: 301, headers: ["Location": "../good.mp4"], body: "")
            case "/loop.mp4": return .respond(status: 302, headers: ["Location": "/loop.mp4"], body: "")
            case "/nohead.mp4":
                // Signed for GET only: HEAD is refused; a ranged GET answers with the total length.
                if head { return .respond(status: 403, headers: [:], body: "") }
                guard request.headers["range"] == "bytes=0-0" else {
                    return .respond(status: 400, headers: [:], body: "")
                }
                return .respond(
                    status: 206, headers: ["Content-Type": "video/mp4", "Content-Range": "bytes 0-0/1000"], body: "x")
            case "/binary.mp4":
                return .respond(
                    status: 200, headers: ["Content-Type": "binary/octet-stream", "Content-Length": "1000"], body: "")
            case "/short.mp4":
                return .respond(status: 200, headers: ["Content-Type": "video/mp4", "Content-Length": "10"], body: "")
            case "/empty.mp4":
                return .respond(status: 200, headers: ["Content-Type": "video/mp4", "Content-Length": "0"], body: "")
            case "/slow.mp4": return .delayed(12, .respond(status: 200, headers: media, body: ""))
            default: return .respond(status: 500, headers: [:], body: "")
            }
        }
    }

    private func asset(_ path: String, port: Int, line: Int, fileSize: Int64? = 1000) -> Asset {
        var asset = Builders.asset(path, source: "http://127.0.0.1:\(port)/\(path)")
        asset.fileSize = fileSize
        asset.sourceLocation = SourceLocation(file: "assets/a.yaml", line: line, column: 13)
        return asset
    }

    @Test func everyProblemIsLocatedAtItsSourceInOneRun() async throws {
        let server = try server()
        defer { server.stop() }
        let now: Int64 = 1_800_000_000
        let port = server.port
        var assets = [
            "good.mp4", "page.mp4", "api.mp4", "missing.mp4", "moved.mp4", "loop.mp4", "nohead.mp4", "binary.mp4",
            "short.mp4", "empty.mp4", "slow.mp4",
        ].enumerated().map { asset($1, port: port, line: $0 + 1) }
        // Signed URLs: OSS V1 expired (no request), S3-style V4 expiring in 30 min (a warning, and a request).
        var expired = asset("signed.mp4", port: port, line: 20)
        expired.source += "?Expires=\(now - 7200)&OSSAccessKeyId=AKID&Signature=SECRET"
        var soon = asset("signed.mp4", port: port, line: 21)
        soon.key = "soon"
        soon.source =
            "http://127.0.0.1:\(port)/signed.mp4?X-Amz-Date=\(compact(now - 1800))&X-Amz-Expires=3600&X-Amz-Signature=SECRET"
        assets += [expired, soon]
        // Nothing listens on this port.
        assets.append(
            Asset(
                key: "closed", source: "http://127.0.0.1:1/x.mp4", title: "T",
                sourceLocation: SourceLocation(file: "assets/a.yaml", line: 30, column: 13)))

        // A timeout that a loaded CI runner (the whole suite runs in parallel) still meets for the quick answers;
        // the slow source answers long after it.
        let findings = await SourceChecking(margin: 3600, timeout: 4).check(assets, now: now)
        let lines = findings.map(\.description)
        let base = "http://127.0.0.1:\(port)"
        #expect(
            lines == [
                "assets/a.yaml:2:13: error: the source's Content-Type is 'text/html; charset=utf-8', not audio or video (an error page, or a login page saved under a media URL?): \(base)/page.mp4",
                "assets/a.yaml:3:13: error: the source's Content-Type is 'application/json', not audio or video (an error page, or a login page saved under a media URL?): \(base)/api.mp4",
                "assets/a.yaml:4:13: error: the source answers HTTP 404 to HEAD: \(base)/missing.mp4",
                "assets/a.yaml:6:13: error: the source redirects more than 5 times: \(base)/loop.mp4",
                "assets/a.yaml:9:13: error: the source is 10 bytes, but 'fileSize' says 1000: \(base)/short.mp4",
                "assets/a.yaml:10:13: error: the source is empty (0 bytes): \(base)/empty.mp4",
                "assets/a.yaml:11:13: error: the source cannot be reached (no answer within 4 s): \(base)/slow.mp4",
                "assets/a.yaml:20:13: error: the signed source URL expired at 2027-01-15T06:00:00Z (2 h ago); sign it again",
                "assets/a.yaml:21:13: warning: the signed source URL expires at 2027-01-15T08:30:00Z, in 30 min: the API fetches sources some time after apply sends them; sign it for longer (--expiry-margin is 1 h)",
                "assets/a.yaml:30:13: error: the source cannot be reached (connection refused): http://127.0.0.1:1/x.mp4",
            ], "\(lines.joined(separator: "\n"))")
        #expect(!lines.joined().contains("SECRET") && !lines.joined().contains("AKID"))
        // The expired URL was never requested; the redirect was followed; HEAD was refused, then GET sent.
        let requests = server.requests.map { "\($0.method) \($0.path)" }
        #expect(!requests.contains { $0.hasPrefix("HEAD /signed.mp4") && $0.contains("Expires") })
        #expect(requests.contains("HEAD /hop/good.mp4") && requests.contains("GET /nohead.mp4"))
        #expect(server.requests.filter { $0.path == "/signed.mp4" }.count == 1)
    }

    /// `20270115T073000Z`.
    private func compact(_ epoch: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(epoch)))
    }
}
