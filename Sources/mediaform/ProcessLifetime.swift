/// Values the process holds until it ends.
///
/// A plan of 100,000 assets holds hundreds of thousands of small allocations (records, assets, changes); freeing
/// them one by one when `run()` returns took about 0.2 s after the output was printed, for memory the process
/// hands back at exit anyway. Only for values read until the end of a command that exits right after.
enum ProcessLifetime {
    private final class Kept<Value>: @unchecked Sendable {
        let value: Value
        init(_ value: Value) { self.value = value }
    }

    /// Keeps `value` alive until the process exits: never released, so never freed piece by piece.
    static func keep<Value>(_ value: Value) {
        _ = Unmanaged.passRetained(Kept(value))
    }
}
