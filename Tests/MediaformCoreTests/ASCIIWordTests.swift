import Testing

@testable import MediaformCore

/// The eight-bytes-at-once tests behind the manifest scans, against the obvious byte-by-byte answers: every byte
/// value at every position, and random words; then the scans that use them.
@Suite struct ASCIIWordTests {
    static func word(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
    }

    static func printable(_ b: UInt8) -> Bool { b >= 0x20 && b <= 0x7E }

    @Test func everyByteAtEveryPosition() {
        for fill: UInt8 in [0x20, 0x21, 0x2C, 0x41, 0x7E] {
            for position in 0..<8 {
                for value in 0...255 {
                    var bytes = [UInt8](repeating: fill, count: 8)
                    bytes[position] = UInt8(value)
                    let w = Self.word(bytes)
                    #expect(ASCIIWord.isPrintable(w) == bytes.allSatisfy(Self.printable), "\(bytes)")
                    for needle: UInt8 in [0x20, 0x2C, 0x00, 0xFF] {
                        #expect(ASCIIWord.contains(w, needle) == bytes.contains(needle), "\(bytes) \(needle)")
                    }
                }
            }
        }
    }

    @Test func randomWords() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            // Bytes mostly near the edges that matter (0x1F/0x20, 0x7E/0x7F/0x80, commas).
            let bytes = (0..<8).map { _ -> UInt8 in
                let edges: [UInt8] = [0x00, 0x0A, 0x0D, 0x1F, 0x20, 0x21, 0x2C, 0x7E, 0x7F, 0x80, 0xC3, 0xFF]
                return Bool.random(using: &generator)
                    ? edges.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator)
            }
            let w = Self.word(bytes)
            #expect(ASCIIWord.isPrintable(w) == bytes.allSatisfy(Self.printable), "\(bytes)")
            #expect(ASCIIWord.contains(w, 0x2C) == bytes.contains(0x2C), "\(bytes)")
            #expect(ASCIIWord.contains(w, 0x20) == bytes.contains(0x20), "\(bytes)")
        }
    }

    /// A byte the block reader must not take on trust, at every offset of printable text of every length around
    /// the eight-byte steps, makes the text not plain; a CR before a LF does not.
    @Test func plainUTF8FindsAnOddByteAnywhere() {
        func plain(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBufferPointer(YAMLBlockReader.isPlainUTF8) }
        for length in 0..<26 {
            let text = (0..<length).map { UInt8(0x41 + $0 % 26) }
            #expect(plain(text))
            for offset in 0..<length {
                for odd: [UInt8] in [[0x09], [0x7F], [0x0D], [0x00], [0xC2, 0x85], [0xEF, 0xBB, 0xBF], [0x80]] {
                    var bytes = text
                    bytes.replaceSubrange(offset..<offset + 1, with: odd)
                    #expect(!plain(bytes), "\(odd) at \(offset) of \(length)")
                }
                var crlf = text
                crlf.replaceSubrange(offset..<offset + 1, with: [0x0D, 0x0A])
                #expect(plain(crlf))
                var accented = text
                accented.replaceSubrange(offset..<offset + 1, with: Array("é".utf8))
                #expect(plain(accented))
            }
        }
    }

    /// The scan's flags, for texts of every length around the steps, against what each byte says.
    @Test func textScanFlagsMatchTheBytes() {
        let pieces = ["a", " ", ",", "é", "\n", "\t", "\u{7F}", "Zz", "  ", "季"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3_000 {
            let text = (0..<Int.random(in: 0..<30, using: &generator)).map { _ in
                pieces.randomElement(using: &generator)!
            }.joined()
            let bytes = Array(text.utf8)
            let scan = TextScan(text)
            #expect(scan.byteCount == bytes.count)
            #expect(scan.isASCII == bytes.allSatisfy { $0 < 0x80 }, "\(text.debugDescription)")
            #expect(scan.hasSpace == bytes.contains(0x20), "\(text.debugDescription)")
            #expect(scan.hasComma == bytes.contains(0x2C), "\(text.debugDescription)")
            #expect(scan.hasVisibleASCII == bytes.contains { $0 > 0x20 && $0 < 0x7F }, "\(text.debugDescription)")
            #expect(scan.hasASCIIControl == bytes.contains { $0 < 0x20 || $0 == 0x7F }, "\(text.debugDescription)")
            #expect(scan.hasLineBreak == bytes.contains { $0 == 0x0A || $0 == 0x0D }, "\(text.debugDescription)")
            #expect(scan.first == bytes.first && scan.last == bytes.last)
        }
    }
}
