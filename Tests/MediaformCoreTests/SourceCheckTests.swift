import MediaformCore
import MediaformTestSupport
import Testing

/// The checks of `--check-sources` that need no network: signed URLs' expiry, and reading a probe's answer.
@Suite struct SourceCheckTests {
    @Test(arguments: [
        ("https://b.oss-cn-shanghai.aliyuncs.com/a.mp4?Expires=1800000000&OSSAccessKeyId=K&Signature=S", 1_800_000_000),
        (
            "https://b.oss-cn-shanghai.aliyuncs.com/a.mp4?x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-date=20270115T070000Z&x-oss-expires=3600&x-oss-signature=S",
            1_800_000_000
        ),
        (
            "https://s3.example.com/a.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20270115T070000Z&X-Amz-Expires=3600&X-Amz-Signature=S",
            1_800_000_000
        ),
        ("https://s3.example.com/a.mp4?x-amz-date=20270115T070000Z&x-amz-expires=3600#t=10", 1_800_000_000),
        ("https://b.oss-cn-shanghai.aliyuncs.com/a.mp4?expires=1800000000", 1_800_000_000),
    ])
    func expiryOfEachSignatureKind(_ url: String, _ expected: Int64) {
        #expect(SignedURLExpiry.expiry(of: url) == expected)
    }

    @Test(arguments: [
        "https://cdn.example.com/a.mp4", "https://cdn.example.com/a.mp4?auth_key=1700000000-0-0-abc",
        "https://s3.example.com/a.mp4?X-Amz-Date=2027-01-15&X-Amz-Expires=3600", "https://x/a.mp4?Expires=soon",
    ])
    func unsignedOrUnreadableURLsClaimNothing(_ url: String) {
        #expect(SignedURLExpiry.expiry(of: url) == nil)
    }

    @Test func contentTypes() {
        for good in [
            "video/mp4", "audio/mpeg", "Video/QuickTime", "application/octet-stream", "binary/octet-stream",
            "application/vnd.apple.mpegurl", "application/x-mpegURL; charset=utf-8", "",
        ] {
            #expect(SourceCheck.acceptsContentType(good), "\(good)")
        }
        for bad in ["text/html", "text/html; charset=utf-8", "application/json", "image/jpeg", "text/plain"] {
            #expect(!SourceCheck.acceptsContentType(bad), "\(bad)")
        }
    }

    @Test func aProbeWithoutLengthOrTypeIsNotJudgedOnThem() {
        var asset = Builders.asset("a")
        asset.fileSize = 10
        let probe = SourceProbe(outcome: .answered(status: 200, contentType: nil, length: nil))
        #expect(SourceCheck.findings(asset, probe: probe).isEmpty)
        // Located at the source when known, else at the asset.
        let missing = SourceProbe(outcome: .answered(status: 410, contentType: nil, length: nil), redirects: 2)
        #expect(
            SourceCheck.findings(asset, probe: missing).map(\.description) == [
                "<memory>:1:1: error: the source answers HTTP 410 to HEAD after 2 redirect(s): https://media.example.com/a.mp4"
            ])
    }
}
