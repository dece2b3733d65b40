import ArgumentParser
import Foundation

/// The terminal confirmation of `apply`: only `yes` is accepted; without a terminal it fails instead of asking.
enum Confirmation {
    /// Asks `question` on stderr and reads the answer from stdin.
    /// - Throws: `ExitCode.failure` (with a message) when stdin is not a terminal.
    static func ask(_ question: String) throws -> Bool {
        guard isatty(STDIN_FILENO) == 1 else {
            Console.error(
                "apply needs a confirmation and there is no terminal: pass --auto-approve (as in CI), or apply a "
                    + "plan saved with 'plan --out'")
            throw ExitCode.failure
        }
        FileHandle.standardError.write(Data("\n\(question) Only 'yes' is accepted: ".utf8))
        return readLine()?.trimmingCharacters(in: .whitespaces) == "yes"
    }
}
