import Foundation
import MediaformCore
import MediaformKit
import Synchronization

/// Progress of apply: on a terminal one line redrawn in place on stderr; otherwise failures and notes only (CI logs
/// stay short); under `--format json`, one JSON object per event on stdout.
final class Progress: Sendable {
    private struct Counts {
        var submitted = 0, updated = 0, deleted = 0, failed = 0, ready = 0, jobFailed = 0
        var lastDraw = 0.0
        var waiting = false
        var total = 0
        var started = Date().timeIntervalSince1970
    }

    private let json: Bool
    private let terminal: Bool
    private let counts = Mutex(Counts())

    init(format: MediaformCommand.Apply.ProgressFormat, terminal: Bool) {
        self.json = format == .json
        self.terminal = terminal && format == .text
    }

    var waiting: Bool {
        get { counts.withLock { $0.waiting } }
        set { counts.withLock { $0.waiting = newValue } }
    }

    /// The number of changes to carry out (uploads, updates, deletes).
    var total: Int {
        get { counts.withLock { $0.total } }
        set {
            counts.withLock {
                $0.total = newValue; $0.started = Date().timeIntervalSince1970
            }
        }
    }

    func handle(_ event: ApplyEvent) {
        if json {
            Console.out(Self.json(event).canonicalJSON + "\n")
            return
        }
        var line: String?
        counts.withLock { c in
            switch event {
            case .submitted: c.submitted += 1
            case .updated: c.updated += 1
            case .deleted, .forgotten: c.deleted += 1
            case .adopted(let key, let jobId): line = "adopted \(key): job \(jobId) from an interrupted run"
            case .failed(let key, let code, let message):
                c.failed += 1
                line = "failed \(key): \(code): \(message)"
            case .jobEnded(_, let status, _, _):
                if status == .ready { c.ready += 1 } else { c.jobFailed += 1 }
            case .note(let text): line = text
            }
        }
        if let line {
            FileHandle.standardError.write(Data(((terminal ? "\r\u{1B}[K" : "") + line + "\n").utf8))
        }
        draw()
    }

    /// A progress line: redrawn in place on a terminal (10 times a second at most), printed every 10 s otherwise.
    private func draw(force: Bool = false) {
        guard !json else { return }
        let text: String? = counts.withLock { c in
            let now = Date().timeIntervalSince1970
            guard force || now - c.lastDraw > (terminal ? 0.1 : 10) else { return nil }
            if c.lastDraw == 0 && !terminal { c.lastDraw = now; return nil }
            c.lastDraw = now
            let done = c.submitted + c.updated + c.deleted + c.failed
            var s = ""
            if c.total > 0 {
                let width = 24
                let filled = min(width, done * width / max(1, c.total))
                s +=
                    "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
                    + "] \(done)/\(c.total)"
                let elapsed = max(0.001, now - c.started)
                let rate = Double(done) / elapsed
                s += String(format: " · %.1f/s", rate)
                if rate > 0, done < c.total { s += String(format: " · ETA %.0f s", Double(c.total - done) / rate) }
            }
            s += " · submitted \(c.submitted), updated \(c.updated), deleted \(c.deleted), failed \(c.failed)"
            if c.waiting { s += " · jobs ready \(c.ready), failed \(c.jobFailed)" }
            return s
        }
        guard let text else { return }
        FileHandle.standardError.write(Data((terminal ? "\r\u{1B}[K\(text)" : "progress: \(text)\n").utf8))
    }

    func finish() {
        guard terminal else { return }
        draw(force: true)
        FileHandle.standardError.write(Data("\n".utf8))
    }

    static func json(_ event: ApplyEvent) -> JSONValue {
        switch event {
        case .submitted(let key, let jobId, let mediaId):
            return .object([
                "event": .string("submitted"), "key": .string(key), "jobId": .string(jobId),
                "mediaId": mediaId.map(JSONValue.string) ?? .null,
            ])
        case .updated(let key): return .object(["event": .string("updated"), "key": .string(key)])
        case .deleted(let key): return .object(["event": .string("deleted"), "key": .string(key)])
        case .forgotten(let key): return .object(["event": .string("forgotten"), "key": .string(key)])
        case .failed(let key, let code, let message):
            return .object([
                "event": .string("failed"), "key": .string(key), "code": .string(code), "message": .string(message),
            ])
        case .jobEnded(let key, let status, let code, let message):
            return .object([
                "event": .string("job-ended"), "key": .string(key), "status": .string(status.rawValue),
                "code": code.map(JSONValue.string) ?? .null, "message": message.map(JSONValue.string) ?? .null,
            ])
        case .adopted(let key, let jobId):
            return .object(["event": .string("adopted"), "key": .string(key), "jobId": .string(jobId)])
        case .note(let text): return .object(["event": .string("note"), "message": .string(text)])
        }
    }
}

/// The end report of apply.
enum ApplyOutput {
    static func summary(_ report: ApplyReport, state: State, waited: Bool, calls: ClientStatistics? = nil) -> String {
        var out = report.interrupted ? "\nApply interrupted: " : "\nApply complete: "
        out += "\(report.submitted) submitted, \(report.updated) updated, \(report.deleted + report.forgotten) deleted"
        if report.adopted > 0 { out += ", \(report.adopted) adopted from an interrupted run" }
        out += ". State serial \(state.serial).\n"
        if let calls, calls.retries > 0 || calls.resigned > 0 {
            out +=
                "API calls: \(calls.requests), retried \(calls.retries) (throttled \(calls.throttled), server errors \(calls.serverErrors)).\n"
        }
        let running = state.assets.values.filter { $0.status == .submitted || $0.status == .processing }.count
        if waited {
            out +=
                running == 0
                ? "Every job has ended.\n"
                : "\(running) job(s) still running; 'mediaform refresh' picks them up later.\n"
        } else if running > 0 {
            out += "\(running) job(s) running; 'mediaform apply --wait' or 'mediaform refresh' tracks them.\n"
        }
        if report.unresolved > 0 {
            out +=
                "\(report.unresolved) call(s) could not be resolved; the next apply looks them up before sending anything.\n"
        }
        if !report.failures.isEmpty {
            out += "\n\(report.failures.count) asset\(report.failures.count == 1 ? "" : "s") failed:\n"
            for f in report.failures.sorted(by: { $0.key < $1.key }) {
                out += "  \(f.key): \(f.code): \(f.message)\n"
            }
        }
        return out
    }
}
