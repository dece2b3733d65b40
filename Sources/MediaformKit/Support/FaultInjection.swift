import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Crash and pause points for the crash, chaos and lock tests, compiled into **debug builds only**: a release
/// binary never reads `MEDIAFORM_FAULT` or `MEDIAFORM_PAUSE`, so no environment variable can make it kill itself.
///
/// - `MEDIAFORM_FAULT=<point>` kills the process with SIGKILL when it reaches `<point>`, so that a test can prove
///   what a crash at that moment leaves behind.
/// - `MEDIAFORM_PAUSE=<point>:<seconds>` sleeps at `<point>` (to hold a lock while another process tries it).
public enum FaultInjection {
    #if DEBUG
    static let point = ProcessInfo.processInfo.environment["MEDIAFORM_FAULT"]
    static let pausePoint = ProcessInfo.processInfo.environment["MEDIAFORM_PAUSE"]
    #endif

    /// Kills the process at `name` when `MEDIAFORM_FAULT` names it (debug builds only).
    @inline(__always)
    public static func hit(_ name: String) {
        #if DEBUG
        if point == name { kill(getpid(), SIGKILL) }
        #endif
    }

    /// Sleeps at `name` when `MEDIAFORM_PAUSE` names it (debug builds only), without blocking a thread.
    public static func pause(_ name: String) async {
        #if DEBUG
        guard let pausePoint, pausePoint.hasPrefix(name + ":"),
            let seconds = Double(pausePoint.dropFirst(name.count + 1))
        else { return }
        FileHandle.standardError.write(Data("paused at \(name) for \(seconds) s (MEDIAFORM_PAUSE)\n".utf8))
        try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
        #endif
    }
}
