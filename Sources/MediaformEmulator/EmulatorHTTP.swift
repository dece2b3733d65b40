import Foundation
import MediaformCore
import MediaformKit

/// An HTTP request as the emulator sees it, independent of the server library.
public struct EmulatorRequest: Sendable {
    public var method: String
    /// The raw query string (without `?`).
    public var query: String
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: Data

    public init(method: String, query: String, headers: [String: String], body: Data) {
        self.method = method
        self.query = query
        self.headers = headers
        self.body = body
    }
}

/// The emulator's answer.
public struct EmulatorResponse: Sendable {
    public var status: Int
    public var body: String
    /// Close the connection after the work is done, without answering.
    public var drop: Bool

    static func json(_ value: JSONValue, status: Int = 200) -> EmulatorResponse {
        EmulatorResponse(status: status, body: value.canonicalJSON, drop: false)
    }
}
