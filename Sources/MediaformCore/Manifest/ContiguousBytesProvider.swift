import Foundation

/// Byte containers the parser accepts: `Data`, `[UInt8]`, and `String` (its UTF-8).
public protocol ContiguousBytesProvider {
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R
}

extension Array: ContiguousBytesProvider where Element == UInt8 {
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R { withUnsafeBytes(body) }
}

extension String: ContiguousBytesProvider {
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R { Array(utf8).withUnsafeBytes(body) }
}

extension Data: ContiguousBytesProvider {
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R { withUnsafeBytes(body) }
}
