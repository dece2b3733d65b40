import MediaformCore
import Testing

@Suite struct URLRedactionTests {
    @Test(arguments: [
        (
            "https://b.oss-cn-shanghai.aliyuncs.com/a.mp4?Expires=1&OSSAccessKeyId=K&Signature=S",
            "https://b.oss-cn-shanghai.aliyuncs.com/a.mp4"
        ),
        ("https://b.example.com/a.mp4?security-token=T&x=1", "https://b.example.com/a.mp4"),
        ("https://b.example.com/a.mp4?x-oss-signature-version=OSS4&x-oss-credential=C", "https://b.example.com/a.mp4"),
        ("https://cdn.example.com/a.mp4?auth_key=1700000000-0-0-abc", "https://cdn.example.com/a.mp4"),
        ("https://s3.example.com/a.mp4?X-Amz-Signature=abc#t=10", "https://s3.example.com/a.mp4#t=10"),
        ("https://user:secret@cdn.example.com/a.mp4", "https://cdn.example.com/a.mp4"),
        ("https://cdn.example.com/a.mp4?v=2", "https://cdn.example.com/a.mp4?v=2"),
        ("https://cdn.example.com/a.mp4", "https://cdn.example.com/a.mp4"),
        ("https://cdn.example.com/a%40b.mp4?%53ignature=x", "https://cdn.example.com/a%40b.mp4"),
    ])
    func redacts(_ input: String, _ expected: String) {
        #expect(URLRedaction.redact(input) == expected)
    }
}
