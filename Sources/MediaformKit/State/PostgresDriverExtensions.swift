import NIOCore
import PostgresNIO

/// Bind lists built in order: `binds.add(x)` returns the `$n` placeholder.
extension PostgresBindings {
    init(_ values: any PostgresNonThrowingEncodable...) {
        self.init(capacity: values.count)
        for value in values { append(value) }
    }

    /// Every type mediaform binds (String, Int64, Int32, arrays of them) encodes without throwing.
    mutating func append(_ value: any PostgresNonThrowingEncodable) {
        append(value, context: .default)
    }
}

extension PostgresCell {
    /// A text column's value, nil for NULL.
    var text: String? {
        guard var bytes else { return nil }
        return bytes.readString(length: bytes.readableBytes)
    }

    var int: Int64? {
        guard var bytes else { return nil }
        switch dataType {
        case .int8: return bytes.readInteger(as: Int64.self)
        case .int4: return bytes.readInteger(as: Int32.self).map(Int64.init)
        case .int2: return bytes.readInteger(as: Int16.self).map(Int64.init)
        default: return nil
        }
    }

    var bool: Bool? {
        guard var bytes else { return nil }
        return bytes.readInteger(as: UInt8.self).map { $0 != 0 }
    }
}
