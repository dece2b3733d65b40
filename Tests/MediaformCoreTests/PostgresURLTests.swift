import MediaformCore
import Testing

@Suite struct PostgresURLTests {
    @Test func parsesTheUsualForms() throws {
        let full = try PostgresURL.parse(
            "postgresql://ci%40acme:p%3Ass@db.example.com:6543/media%20lib?sslmode=verify-full&connect_timeout=3&application_name=x"
        ).get()
        #expect(full.user == "ci@acme" && full.password == "p:ss" && full.host == "db.example.com" && full.port == 6543)
        #expect(full.database == "media lib" && full.tlsMode == .verifyFull && full.connectTimeout == 3)
        let bare = try PostgresURL.parse("postgres://db").get()
        #expect(
            bare.user == nil && bare.password == nil && bare.host == "db" && bare.port == 5432 && bare.database == nil
                && bare.tlsMode == .prefer)
        let v6 = try PostgresURL.parse("postgres://u@[::1]:5433/d").get()
        #expect(v6.host == "::1" && v6.port == 5433 && v6.redacted == "postgres://u@[::1]:5433/d")
        let query = try PostgresURL.parse("postgres://h/d?user=q&password=secret").get()
        #expect(query.user == "q" && query.password == "secret")
    }

    @Test func redactedNeverShowsThePassword() throws {
        let url = try PostgresURL.parse("postgres://ci:s3cr3t@db:5432/media?sslmode=require").get()
        #expect(url.redacted == "postgres://ci:***@db:5432/media?sslmode=require")
        #expect(!url.redacted.contains("s3cr3t"))
    }

    @Test func rejectsWhatItCannotHonour() {
        for (text, message) in [
            ("mysql://h/d", "starts with postgres://"), ("postgres://h:99999/d", "port"),
            ("postgres://h/d?sslmode=allow", "sslmode 'allow'"),
            ("postgres://a,b/d", "several hosts"), ("postgres://h/d?foo=1", "unknown URL parameter 'foo'"),
            ("postgres://u:%zz@h/d", "broken %-escape"),
        ] {
            guard case .failure(let problem) = PostgresURL.parse(text) else {
                Issue.record("accepted \(text)"); continue
            }
            #expect(problem.message.contains(message), "\(text): \(problem.message)")
            #expect(!problem.message.contains("%zz"))
        }
    }

    @Test func plainIdentifiers() {
        #expect(PostgresURL.isPlainIdentifier("mediaform") && PostgresURL.isPlainIdentifier("_x1"))
        for bad in ["", "1x", "Media", "a-b", "a b", String(repeating: "a", count: 64), "x\"; drop"] {
            #expect(!PostgresURL.isPlainIdentifier(bad), "\(bad)")
        }
    }
}
