import Foundation

/// Printing helpers shared by commands.
enum Console {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    }

    static func warning(_ message: String) {
        FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
    }

    static func note(_ message: String) {
        FileHandle.standardError.write(Data("\(message)\n".utf8))
    }

    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Writes UTF-8 text already rendered as bytes (a large plan's text, part by part).
    static func out(bytes: [UInt8]) {
        FileHandle.standardOutput.write(Data(bytes))
    }
}
