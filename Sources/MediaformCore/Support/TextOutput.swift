/// Where JSON and plan text are appended: a `String`, or a `TextBuffer` of UTF-8 bytes.
///
/// The writers (`JSONValue.write(into:)`, the plan's text renderer) are generic over it, so that one piece of code
/// serves both: a `String` where the text is small or kept as text, bytes where it is tens of megabytes written
/// out once (the text of a plan of 100,000 new assets is 43 MB).
public protocol TextOutput {
    /// Appends the UTF-8 of `text`.
    mutating func append(_ text: String)
    /// Appends bytes that are valid UTF-8 (a whole string's, or a part of it cut between characters).
    mutating func append(utf8 bytes: UnsafeBufferPointer<UInt8>)
    /// Appends one ASCII character (`byte` < 0x80).
    mutating func append(ascii byte: UInt8)
}

extension String: TextOutput {
    public mutating func append(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        append(String(decoding: bytes, as: UTF8.self))
    }

    /// As a one-character string, as appending a literal does (appending a `Character` costs more).
    public mutating func append(ascii byte: UInt8) {
        append(asciiCharacters[Int(byte & 0x7F)])
    }
}

/// Each ASCII character as a `String`, for `String.append(ascii:)`.
private let asciiCharacters: [String] = (0..<128).map { String(UnicodeScalar(UInt8($0))) }

/// UTF-8 text as bytes, appended without `String`'s per-append bookkeeping (its ASCII and breadcrumb flags):
/// appending a string copies its bytes and nothing else. Rendering a large plan into a `String` spent a quarter of
/// the plan's CPU time in those appends.
public struct TextBuffer: TextOutput, Sendable {
    public var bytes: [UInt8] = []

    public init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func append(_ text: String) {
        var text = text  // `withUTF8` is mutating; for a native string this copies nothing
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    public mutating func append(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes.append(contentsOf: bytes)
    }

    /// Appends one ASCII character (`byte` < 0x80: anything else would leave invalid UTF-8).
    public mutating func append(ascii byte: UInt8) {
        bytes.append(byte)
    }

    /// Appends `count` spaces (from a row of spaces: appending a `repeatElement` went element by element).
    public mutating func appendSpaces(_ count: Int) {
        var left = count
        while left > 0 {
            let n = min(left, Self.spaces.count)
            Self.spaces.withUnsafeBufferPointer { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: $0[..<n])) }
            left -= n
        }
    }

    private static let spaces = [UInt8](repeating: UInt8(ascii: " "), count: 64)

    /// The text, as a `String`.
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}
