import Foundation
import Synchronization

/// Runs the built `mediaform` binary as a subprocess, the way users and CI run it.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

public enum CommandRunner {
    /// The `mediaform` binary next to the test bundle, or `MEDIAFORM_BINARY`.
    public static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["MEDIAFORM_BINARY"] { return URL(fileURLWithPath: path) }
        let here = Bundle.main.bundleURL
        let candidates = [here, here.deletingLastPathComponent()].map { $0.appendingPathComponent("mediaform") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    /// A `mediaform` process with a minimal environment (PATH, a temporary HOME, NO_COLOR) plus `environment`.
    static func makeProcess(_ arguments: [String], in directory: URL?, environment: [String: String]) -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var env = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "NO_COLOR": "1"]
        env.merge(environment) { _, new in new }
        process.environment = env
        return process
    }

    /// Runs `mediaform arguments…` in `directory` with `environment` added to a minimal environment.
    /// - Parameters:
    ///   - stdin: bytes written to the process's standard input (then closed).
    ///
    /// Async, and the waiting happens on a thread of its own: a test that waits for a subprocess must not hold one
    /// of the cooperative pool's threads (two on a CI runner), which an in-process emulator needs to answer that
    /// very subprocess.
    public static func run(
        _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:], stdin: String = ""
    ) async throws -> CommandResult {
        try await onOwnThread { try runBlocking(arguments, in: directory, environment: environment, stdin: stdin) }
    }

    /// Runs `body` on a new thread and returns its result, leaving the cooperative pool free meanwhile.
    public static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do {
                    continuation.resume(returning: try body())
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.start()
        }
    }

    /// Waits for `process` to exit without holding a cooperative thread.
    public static func waitForExit(_ process: Process) async {
        _ = try? await onOwnThread { process.waitUntilExit() }
    }

    private static func runBlocking(
        _ arguments: [String], in directory: URL?, environment: [String: String], stdin: String
    ) throws -> CommandResult {
        let process = makeProcess(arguments, in: directory, environment: environment)
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try? input.fileHandleForWriting.close()
        // Read both pipes concurrently so that a full stderr cannot block the child while we wait on stdout.
        let errData = ReadBox()
        let reader = Thread { errData.data = err.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errData.done { usleep(1000) }
        return CommandResult(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData.data, as: UTF8.self))
    }
}

extension CommandRunner {
    /// Runs `mediaform arguments…` on a pseudo-terminal (util-linux `script`), as a user at a terminal would, with
    /// `TERM=xterm` and without `NO_COLOR` unless `environment` sets it. Returns everything the terminal showed.
    public static func runOnTerminal(_ arguments: [String], environment: [String: String] = [:]) async throws -> String
    {
        try await onOwnThread {
            let command = ([binary.path] + arguments).map {
                "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'"
            }
            // The usual minimal environment, but a terminal's: TERM set, NO_COLOR only if the caller sets it.
            let process = makeProcess(
                [], in: nil, environment: ["TERM": "xterm"].merging(environment) { _, new in new })
            process.environment?["NO_COLOR"] = environment["NO_COLOR"]
            process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
            process.arguments = ["--quiet", "--return", "--command", command.joined(separator: " "), "/dev/null"]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = out
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
    }
}

/// A run with its peak memory.
public struct MeasuredResult: Sendable {
    public var status: Int32
    public var stderr: String
    public var peakKiB: Int
}

extension CommandRunner {
    /// Runs `mediaform` under `/usr/bin/time` to learn its peak memory (stdout is discarded).
    public static func runMeasured(
        _ arguments: [String], environment: [String: String] = [:]
    ) async throws -> MeasuredResult {
        try await onOwnThread { try runMeasuredBlocking(arguments, environment: environment) }
    }

    private static func runMeasuredBlocking(_ arguments: [String], environment: [String: String]) throws
        -> MeasuredResult
    {
        let report = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mediaform-time-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: report) }
        let process = makeProcess(arguments, in: nil, environment: environment)
        process.arguments = ["-o", report.path, "-f", "%M", binary.path] + arguments
        process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let peak =
            (try? String(contentsOf: report, encoding: .utf8))?.split(separator: "\n").last.flatMap {
                Int($0.trimmingCharacters(in: .whitespaces))
            } ?? 0
        var stderr = String(decoding: data, as: UTF8.self)
        // /usr/bin/time reports a signal death as "Command terminated by signal N".
        let status: Int32 = stderr.contains("Command terminated by signal") ? -1 : process.terminationStatus
        if stderr.count > 100_000 { stderr = String(stderr.prefix(100_000)) }
        return MeasuredResult(status: status, stderr: stderr, peakKiB: peak)
    }

    /// Starts `mediaform arguments…` without waiting; its stderr goes to the returned file (read it after exit).
    public static func start(
        _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]
    ) throws -> (process: Process, stderr: URL) {
        let process = makeProcess(arguments, in: directory, environment: environment)
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mediaform-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, errURL)
    }

    /// Waits until `file` contains `text` (or the timeout passes); true when it does.
    public static func waitFor(_ text: String, in file: URL, timeout: Double = 30) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let s = try? String(contentsOf: file, encoding: .utf8), s.contains(text) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}

/// A one-shot hand-off from the reader thread.
private final class ReadBox: Sendable {
    private let state = Mutex<(data: Data, done: Bool)>((Data(), false))

    var data: Data {
        get { state.withLock { $0.data } }
        set { state.withLock { $0 = (newValue, true) } }
    }

    var done: Bool { state.withLock { $0.done } }
}
