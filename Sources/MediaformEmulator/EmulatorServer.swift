import Foundation
import Hummingbird
import Logging
import MediaformCore
import NIOCore
import Synchronization

/// The emulator's HTTP front (Hummingbird): every request to `/` goes to `EmulatorService`; `GET /_emulator/jobs`
/// lists every job it created (read-only introspection for tests).
public final class EmulatorServer: Sendable {
    public let service: EmulatorService
    private let task: Mutex<Task<Void, any Error>?> = Mutex(nil)
    private let boundPort = Mutex<Int?>(nil)

    public init(configuration: EmulatorConfiguration) throws {
        self.service = try EmulatorService(configuration: configuration)
    }

    /// `http://host:port` once started.
    public var endpoint: String {
        "http://\(service.configuration.host):\(boundPort.withLock { $0 } ?? service.configuration.port)"
    }

    /// Starts listening and returns the endpoint once the server accepts connections.
    @discardableResult
    public func start() async throws -> String {
        let router = Router()
        let service = self.service
        router.get("/_emulator/jobs") { _, _ -> Response in
            let body = await service.introspection().canonicalJSON
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        }
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 8 << 20)
            var headers: [String: String] = [:]
            for field in request.headers {
                let name = field.name.canonicalName.lowercased()
                headers[name] = headers[name].map { $0 + "," + field.value } ?? field.value
            }
            if headers["host"] == nil, let authority = request.head.authority { headers["host"] = authority }
            let emulated = EmulatorRequest(
                method: request.method.rawValue, query: request.uri.query ?? "", headers: headers,
                body: Data(buffer: body))
            let answer = await service.handle(emulated)
            if answer.drop {
                // The upload is committed; now fail the exchange so the client cannot know it happened.
                return Response(
                    status: .ok, headers: [.contentType: "application/json"],
                    body: ResponseBody { _ in
                        throw CancellationError()
                    })
            }
            return Response(
                status: .init(code: answer.status), headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: answer.body)))
        }
        router.post("/", use: handler)
        router.get("/", use: handler)
        let ready = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            configuration: .init(
                address: .hostname(service.configuration.host, port: service.configuration.port),
                serverName: "mediaform-emulator"),
            onServerRunning: { channel in
                ready.continuation.yield(channel.localAddress?.port ?? 0)
                ready.continuation.finish()
            },
            logger: {
                var l = Logger(label: "emulator"); l.logLevel = .critical; return l
            }())
        let running = Task {
            try await app.runService()
        }
        task.withLock { $0 = running }
        // Callbacks are delivered by a background loop.
        Task.detached { [weak self] in
            while let self, !(self.task.withLock { $0?.isCancelled ?? true }) {
                await self.service.deliverCallbacks()
                try? await Task.sleep(nanoseconds: 200_000_000)
            }
        }
        var port: Int?
        for await p in ready.stream { port = p }
        guard let port, port > 0 else {
            running.cancel()
            throw EmulatorStartError(
                message: "the emulator could not listen on \(service.configuration.host):\(service.configuration.port)")
        }
        boundPort.withLock { $0 = port }
        return endpoint
    }

    /// Waits until the server stops (SIGINT or SIGTERM stop it gracefully).
    public func wait() async {
        let running = task.withLock { $0 }
        _ = try? await running?.value
    }

    /// Stops the server (graceful: in-flight requests finish).
    public func stop() async {
        let running = task.withLock { t -> Task<Void, any Error>? in
            defer { t = nil }
            return t
        }
        running?.cancel()
        _ = try? await running?.value
    }
}

public struct EmulatorStartError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
