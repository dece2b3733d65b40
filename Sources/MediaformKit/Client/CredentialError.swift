import Foundation
import MediaformCore

/// No usable credentials. The message names every source that was tried and never contains a secret.
public struct CredentialError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// The sources tried, in order, each with why it did not yield credentials.
    public var tried: [String]

    public init(_ message: String, tried: [String] = []) {
        self.message = message
        self.tried = tried
    }

    public var description: String {
        guard !tried.isEmpty else { return message }
        return message + "; tried:\n" + tried.map { "  - \($0)" }.joined(separator: "\n")
    }
}
