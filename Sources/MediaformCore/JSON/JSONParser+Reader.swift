import Foundation

/// Pull-style reading on top of `JSONParser`, for decoders that know the shape they expect.
extension JSONParser {
    /// Runs `body` with a reader over `bytes`; the reader must consume exactly one value.
    static func reading<R>(_ bytes: some ContiguousBytesProvider, _ body: (inout JSONParser) throws(Failure) -> R)
        throws(Failure) -> R
    {
        let result: Result<R, Failure> = bytes.withBytes { raw in
            var reader = JSONParser(bytes: raw.bindMemory(to: UInt8.self))
            do throws(Failure) {
                reader.skipWhitespace()
                let value = try body(&reader)
                reader.skipWhitespace()
                guard reader.position == reader.bytes.count else {
                    throw reader.failure("unexpected data after the JSON value")
                }
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Runs `body` on the beginning of `bytes`: what follows the part it reads is neither read nor checked.
    static func readingPrefix<R>(
        _ bytes: some ContiguousBytesProvider, _ body: (inout JSONParser) throws(Failure) -> R
    ) throws(Failure) -> R {
        let result: Result<R, Failure> = bytes.withBytes { raw in
            var reader = JSONParser(bytes: raw.bindMemory(to: UInt8.self))
            do throws(Failure) {
                reader.skipWhitespace()
                return .success(try body(&reader))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Reads `{`, then calls `body` for each key with the reader placed on the value (which `body` must read);
    /// stops before the value of the first key `stop` accepts, if any, leaving the rest unread.
    mutating func readObject(
        until stop: (String) -> Bool = { _ in false }, _ body: (String, inout JSONParser) throws(Failure) -> Void
    ) throws(Failure) {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "{") else { throw failure("expected an object") }
        position += 1
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw failure("expected a string key")
            }
            let key = try string()
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw failure("expected ':'") }
            position += 1
            skipWhitespace()
            if stop(key) { return }
            try body(key, &self)
            skipWhitespace()
            guard position < bytes.count else { throw failure("unexpected end of input in an object") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            guard bytes[position] == UInt8(ascii: "}") else { throw failure("expected ',' or '}'") }
            position += 1
            return
        }
    }

    /// Reads `[`, then calls `body` for each element with the reader placed on it.
    mutating func readArray(_ body: (inout JSONParser) throws(Failure) -> Void) throws(Failure) {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "[") else { throw failure("expected a list") }
        position += 1
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return
        }
        while true {
            skipWhitespace()
            try body(&self)
            skipWhitespace()
            guard position < bytes.count else { throw failure("unexpected end of input in a list") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            guard bytes[position] == UInt8(ascii: "]") else { throw failure("expected ',' or ']'") }
            position += 1
            return
        }
    }

    /// True (and consumed) when the next value is `null`.
    mutating func readNull() throws(Failure) -> Bool {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    mutating func readString() throws(Failure) -> String {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw failure("expected a string") }
        return try string()
    }

    mutating func readInt() throws(Failure) -> Int64 {
        skipWhitespace()
        let start = position
        guard position < bytes.count, bytes[position] == UInt8(ascii: "-") || (0x30...0x39).contains(bytes[position]),
            case .int(let i) = try number()
        else { throw failure("expected an integer", at: start) }
        return i
    }

    mutating func readBool() throws(Failure) -> Bool {
        skipWhitespace()
        guard position < bytes.count else { throw failure("expected true or false") }
        if bytes[position] == UInt8(ascii: "t") {
            try literal("true")
            return true
        }
        guard bytes[position] == UInt8(ascii: "f") else { throw failure("expected true or false") }
        try literal("false")
        return false
    }

    /// Reads any value as a `JSONValue`.
    mutating func readValue() throws(Failure) -> JSONValue {
        skipWhitespace()
        return try value(depth: 0)
    }
}
