import Foundation

/// Rules for the `endpoint` URL (docs/ims-api.md §1; issue: plain http only on loopback).
public enum EndpointRules {
    /// Why `url` cannot be an endpoint, or nil when it can.
    public static func problem(with url: String) -> String? {
        let lower = url.lowercased()
        let isHTTPS = lower.hasPrefix("https://")
        guard isHTTPS || lower.hasPrefix("http://") else {
            return "must be 'emulator' or an http(s) URL, found '\(URLRedaction.redact(url))'"
        }
        let rest = lower.dropFirst(isHTTPS ? 8 : 7)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if authority.contains("@") { return "must not contain credentials" }
        let host = hostName(ofAuthority: String(authority))
        if host.isEmpty { return "has no host" }
        if !isHTTPS && !isLoopback(host) {
            return "uses plain http to '\(host)'; only loopback addresses (127.0.0.1, localhost) may use http"
        }
        return nil
    }

    static func hostName(ofAuthority authority: String) -> String {
        if authority.hasPrefix("[") { return String(authority.prefix { $0 != "]" }.dropFirst()) }
        return String(authority.prefix { $0 != ":" })
    }

    /// 127.0.0.0/8, ::1 and localhost.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
