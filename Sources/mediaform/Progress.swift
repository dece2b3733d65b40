import ArgumentParser
import Foundation
import MediaformCore
import MediaformKit
import Synchronization

/// `apply --format`: progress as text on stderr, or as JSON events on stdout.
enum ProgressFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// Progress of apply: on a terminal one line redrawn in place on stderr; otherwise failures and notes only (CI logs
/// stay short); under `--format json`, one JSON object per event on stdout.
final class Progress: Sendable {
    private struct Counts {
        var submitted = 0, updated = 0, moved = 0, deleted = 0, failed = 0, ready = 0, jobFailed = 0
        var lastDraw = 0.0
        var waiting = false
        var total = 0
        var started = Date().timeIntervalSince1970
    }

    private let json: Bool
    private let terminal: Bool
    private let counts = Mutex(Counts())

    init(format: ProgressFormat, terminal: Bool) {
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

    /// Shows an event of `ApplyRun` or `RefreshRun`.
    func handle(_ event: ApplyRun.Event) {
        switch event {
        case .warning(let message): Console.warning(message)
        case .reading(let done, let total):
            reading(done: done, total: total, what: "reading the library", unit: "media")
        case .checkingSources(let done, let total):
            reading(done: done, total: total, what: "checking sources", unit: "sources")
        case .sourceFindings(let findings):
            if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            DiagnosticPrinter(color: terminal).print(findings)
        case .observed(let read, let findings):
            if json {
                Console.out(
                    JSONValue.object([
                        "event": .string("observed"), "read": .int(Int64(read)),
                        "drift": .int(Int64(findings.count)),
                    ]).canonicalJSON + "\n")
            } else {
                if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
                Console.note(Self.observedLine(read: read, findings: findings))
            }
        case .planned: break
        case .applying(let total): self.total = total
        case .waiting: waiting = true
        case .progress(let progress): handle(progress)
        }
    }

    func handle(_ event: ApplyEvent) {
        if json {
            Console.out(event.json.canonicalJSON + "\n")
            return
        }
        var line: String?
        counts.withLock { c in
            switch event {
            case .submitted, .registered: c.submitted += 1
            case .updated: c.updated += 1
            case .moved: c.moved += 1
            case .deleted, .forgotten: c.deleted += 1
            case .adopted(let key, let jobId): line = "adopted \(key): job \(jobId) from an interrupted run"
            case .category(let path, let action, let id): line = "category \(path): \(action) (CateId \(id))"
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

    /// "Read 120 media from IMS: 2 changed outside mediaform." (or "…: in step with the state.")
    static func observedLine(read: Int, findings: [DriftFinding]) -> String {
        let what =
            findings.isEmpty
            ? "in step with the state" : "\(findings.count) changed outside mediaform"
        return "Read \(read) media from IMS: \(what)."
    }

    /// Reading the library: a line redrawn on a terminal, one every 10 s otherwise; nothing under JSON.
    private func reading(done: Int, total: Int, what: String, unit: String) {
        guard !json else { return }
        let line: String? = counts.withLock { c in
            let now = Date().timeIntervalSince1970
            guard done == total || now - c.lastDraw > (terminal ? 0.1 : 10) else { return nil }
            c.lastDraw = now
            return "\(what): \(done)/\(total) \(unit)"
        }
        guard let line else { return }
        FileHandle.standardError.write(Data((terminal ? "\r\u{1B}[K\(line)" : "progress: \(line)\n").utf8))
    }

    /// A progress line: redrawn in place on a terminal (10 times a second at most), printed every 10 s otherwise.
    private func draw(force: Bool = false) {
        guard !json else { return }
        let text: String? = counts.withLock { c in
            let now = Date().timeIntervalSince1970
            guard force || now - c.lastDraw > (terminal ? 0.1 : 10) else { return nil }
            if c.lastDraw == 0 && !terminal { c.lastDraw = now; return nil }
            c.lastDraw = now
            let done = c.submitted + c.updated + c.moved + c.deleted + c.failed
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
            if c.moved > 0 { s += ", moved \(c.moved)" }
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
}
