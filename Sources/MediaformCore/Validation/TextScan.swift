/// One pass over a string's UTF-8 bytes, collecting what the validator asks of every text field.
///
/// `String.utf8` iterated element by element costs tens of instructions per byte; a contiguous buffer costs one
/// or two, and validation runs over every field of every asset.
struct TextScan {
    var byteCount = 0
    var isASCII = true
    /// `\n` or `\r`.
    var hasLineBreak = false
    /// ASCII control characters (including line breaks and tab) and DEL.
    var hasASCIIControl = false
    /// A space (0x20).
    var hasSpace = false
    var hasComma = false
    /// A byte above 0x20 and below 0x7F: visible ASCII.
    var hasVisibleASCII = false
    var first: UInt8?
    var last: UInt8?

    init(_ string: String) {
        var copy = string  // `withUTF8` is mutating; for a native string this copies nothing
        copy.withUTF8 { bytes in
            byteCount = bytes.count
            first = bytes.first
            last = bytes.last
            var orAll: UInt8 = 0
            // Eight bytes at a time while they are printable ASCII (most of every title, URL and tag): only spaces,
            // commas and visible characters can be among them.
            let raw = UnsafeRawBufferPointer(bytes)
            var start = 0
            while start + 8 <= bytes.count {
                let word = raw.loadUnaligned(fromByteOffset: start, as: UInt64.self)
                guard ASCIIWord.isPrintable(word) else { break }
                if ASCIIWord.contains(word, 0x20) { hasSpace = true }
                if ASCIIWord.contains(word, UInt8(ascii: ",")) { hasComma = true }
                if word != 0x2020_2020_2020_2020 { hasVisibleASCII = true }
                start += 8
            }
            for b in bytes[start...] {
                orAll |= b
                if b < 0x20 || b == 0x7F {
                    hasASCIIControl = true
                    if b == 0x0A || b == 0x0D { hasLineBreak = true }
                } else if b == 0x20 {
                    hasSpace = true
                } else if b < 0x7F {
                    hasVisibleASCII = true
                    if b == UInt8(ascii: ",") { hasComma = true }
                }
            }
            isASCII = orAll < 0x80
        }
    }
}
