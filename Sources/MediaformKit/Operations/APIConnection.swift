import MediaformCore

/// A client for the project's endpoint, and how to close what was opened for it (an in-process emulator).
///
/// Commands build connections (they know about the built-in emulator and the credential chain); operations take a
/// `Connector` so that they open one only once they know they will call the API, and tests can hand in their own.
public struct APIConnection: Sendable {
    public var client: IMSClient
    public var close: @Sendable () async -> Void

    public init(client: IMSClient, close: @escaping @Sendable () async -> Void = {}) {
        self.client = client
        self.close = close
    }

    /// Opens a connection for a project.
    public typealias Connector = @Sendable (Project) async throws -> APIConnection

    /// Runs `body` with the client, then closes the connection, whether `body` returned or threw.
    public func closing<T>(_ body: (IMSClient) async throws -> T) async throws -> T {
        do {
            let result = try await body(client)
            await close()
            return result
        } catch {
            await close()
            throw error
        }
    }
}
