import MediaformCore

/// Bytes borrowed from a driver buffer, for the pull decoder.
struct RawBytes: ContiguousBytesProvider {
    let pointer: UnsafeRawBufferPointer
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R { body(pointer) }
}
