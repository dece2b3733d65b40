/// Tests on eight bytes at once (a `UInt64` loaded from text), for the scans that run over every byte of every
/// manifest: most of a manifest is printable ASCII, and a word of it is accepted with a few instructions instead of
/// eight comparisons.
enum ASCIIWord {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let high: UInt64 = 0x8080_8080_8080_8080

    /// Whether all eight bytes are printable ASCII (0x20...0x7E): no high bit, no byte below 0x20 (subtracting 0x20
    /// from each borrows into the high bit of a smaller one; a borrow only ever follows such a byte), no 0x7F
    /// (adding one carries into its high bit, and into no other byte).
    static func isPrintable(_ word: UInt64) -> Bool {
        guard word & high == 0 else { return false }
        return ((word &- 0x20 &* ones) | (word &+ ones)) & high == 0
    }

    /// Whether any of the eight bytes is `byte` (a zero byte of `word ^ byte…`, found by borrowing).
    static func contains(_ word: UInt64, _ byte: UInt8) -> Bool {
        let v = word ^ (ones &* UInt64(byte))
        return (v &- ones) & ~v & high != 0
    }
}
