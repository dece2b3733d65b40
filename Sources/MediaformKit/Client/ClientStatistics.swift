import Foundation
import MediaformCore

/// What a client did, for reports and benchmarks.
public struct ClientStatistics: Sendable, Equatable {
    public var requests = 0
    public var retries = 0
    public var throttled = 0
    public var serverErrors = 0
    public var resigned = 0

    public init() {}
}
