import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A scriptable HTTP/1.1 server on 127.0.0.1 for client tests: each request is recorded and answered by the
/// handler, one request per connection.
public final class LoopbackServer: Sendable {
    /// A request as received.
    public struct Request: Sendable {
        public var method: String
        /// Path and query as sent (`/?A=1&B=2`).
        public var target: String
        /// Header names lower-cased.
        public var headers: [String: String]
        public var body: Data

        public var query: Substring { target.split(separator: "?", maxSplits: 1).dropFirst().first ?? "" }
        public var path: Substring { target.split(separator: "?", maxSplits: 1).first ?? "" }
    }

    /// What to do with a request.
    public enum Reply: Sendable {
        case respond(status: Int, headers: [String: String], body: String)
        /// Read the request, then close without answering: an ambiguous failure for the client.
        case drop
        /// Wait, then reply.
        indirect case delayed(Double, Reply)

        public static func json(_ status: Int, _ body: String, headers: [String: String] = [:]) -> Reply {
            .respond(
                status: status, headers: headers.merging(["Content-Type": "application/json"]) { a, _ in a }, body: body
            )
        }
    }

    public let port: Int
    private let socket: Int32
    private let handler: @Sendable (Request) -> Reply
    private let received = Mutex<[Request]>([])
    private let stopped = Mutex(false)

    /// Starts listening on an ephemeral port.
    public init(handler: @escaping @Sendable (Request) -> Reply) throws {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: actual.sin_port))
        self.socket = fd
        self.handler = handler
        let thread = Thread { [self] in self.acceptLoop() }
        thread.start()
    }

    deinit { stop() }

    /// `http://127.0.0.1:PORT`.
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Every request received so far.
    public var requests: [Request] { received.withLock { $0 } }

    public func stop() {
        let wasStopped = stopped.withLock { s -> Bool in
            defer { s = true }
            return s
        }
        if !wasStopped {
            shutdown(socket, Int32(SHUT_RDWR))
            close(socket)
        }
    }

    private func acceptLoop() {
        while !stopped.withLock({ $0 }) {
            let client = accept(socket, nil, nil)
            if client < 0 {
                if stopped.withLock({ $0 }) { return }
                continue
            }
            let thread = Thread { [self] in self.serve(client) }
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        guard let request = Self.read(fd) else { return }
        received.withLock { $0.append(request) }
        var reply = handler(request)
        while case .delayed(let seconds, let next) = reply {
            usleep(UInt32(seconds * 1_000_000))
            reply = next
        }
        guard case .respond(let status, let headers, let body) = reply else { return }  // .drop: close unanswered
        // A Content-Length given by the handler wins (a HEAD answer declares the length of a body it does not send).
        let declared = headers.keys.contains { $0.lowercased() == "content-length" }
        var text =
            "HTTP/1.1 \(status) \(status < 400 ? "OK" : "Error")\r\n"
            + (declared ? "" : "Content-Length: \(body.utf8.count)\r\n") + "Connection: close\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "\r\n" + body
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    private static func read(_ fd: Int32) -> Request? {
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65536)
        var found: Int?
        while found == nil {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return nil }
            buffer += chunk[0..<n]
            if let r = buffer.firstRange(of: Array("\r\n\r\n".utf8)) { found = r.upperBound }
        }
        guard let headerEnd = found else { return nil }
        let head = String(decoding: buffer[0..<headerEnd], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        var body = Array(buffer[headerEnd...])
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while body.count < length {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            body += chunk[0..<n]
        }
        return Request(
            method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: Data(body))
    }
}

/// A clock whose sleeps advance virtual time at once, recording each sleep.
public final class TestClock: Sendable {
    private let state = Mutex<(now: Double, sleeps: [Double])>((1000, []))

    public init() {}

    public var sleeps: [Double] { state.withLock { $0.sleeps } }
    public var elapsed: Double { state.withLock { $0.now - 1000 } }

    public func now() -> Double { state.withLock { $0.now } }

    public func sleep(seconds: Double) async throws {
        state.withLock { s in
            s.sleeps.append(seconds)
            s.now += max(0, seconds)
        }
    }
}
