import Foundation
import MediaformCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A held local lock: journal appends and snapshot writes happen through it, on the blocking thread pool.
///
/// Each write runs whole under the lock's mutex on a pool thread: sequence numbers are given and written in one
/// critical section, so the journal's order is the order of the calls.
final class LocalStateLock: SnapshotReplacing {
    let backend: LocalStateBackend
    let info: LockInfo
    let warnings: [String]

    private struct Files {
        var lockDescriptor: Int32
        var journalDescriptor: Int32
        var sequencer: JournalSequencer
        var released = false
    }

    private let files: Mutex<Files>

    /// Opens the journal for appending; runs on the blocking pool (it may rewrite a torn journal).
    init(
        backend: LocalStateBackend, fd: Int32, info: LockInfo, warnings: [String], loaded: LoadedState,
        journal: JournalContents
    ) throws(StateError) {
        self.backend = backend
        self.info = info
        self.warnings = warnings
        // Cut a torn last line so that new records start on a line of their own.
        if journal.tornLine != nil {
            let text = journal.records.map { $0.line + "\n" }.joined()
            try FileIO.writeAtomically(backend.journalPath, Array(text.utf8))
        }
        let journalDescriptor = open(backend.journalPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        if journalDescriptor < 0 {
            throw .io(path: backend.journalPath, operation: "open", reason: String(cString: strerror(errno)))
        }
        let sequencer = JournalSequencer(
            snapshotSequence: loaded.state.journalSequence, lastRecord: journal.records.last?.sequence)
        self.files = Mutex(Files(lockDescriptor: fd, journalDescriptor: journalDescriptor, sequencer: sequencer))
    }

    deinit { releaseNow() }

    func append(_ entries: [JournalEntry]) async throws(StateError) {
        guard !entries.isEmpty else { return }
        try await Blocking.run { () throws(StateError) in
            let time = self.backend.clock()
            try self.files.withLock { (f: inout Files) throws(StateError) in
                let text = f.sequencer.records(for: entries, time: time).map { $0.line + "\n" }.joined()
                try FileIO.writeAll(f.journalDescriptor, Array(text.utf8), path: self.backend.journalPath)
                try FileIO.sync(f.journalDescriptor, path: self.backend.journalPath)
            }
        }
    }

    var generator: String { backend.generator }

    /// Replaces the snapshot with `newState` and trims the journal to `unresolved`.
    func replaceSnapshot(with newState: State, unresolved: [Intent]) async throws(StateError) -> State {
        try await Blocking.run { () throws(StateError) in
            let backend = self.backend
            let time = backend.clock()
            return try self.files.withLock { (f: inout Files) throws(StateError) -> State in
                let (written, kept) = f.sequencer.snapshot(newState, keeping: unresolved, time: time)
                // Keep the previous version as the backup, then replace the state.
                // The previous version may be in the other form (a state being converted to or from `.gz`).
                var previous = try FileIO.read(backend.statePath)
                if previous == nil { previous = try FileIO.read(backend.alternatePath) }
                if let previous {
                    try FileIO.writeAtomically(backend.backupPath, previous)
                }
                try FileIO.writeAtomically(backend.statePath, backend.encoded(written)) {
                    FaultInjection.hit("state-before-rename")
                }
                // Converted: the other form is older now (and is in the backup). A crash before this line leaves
                // both, and reads take the newer.
                if FileManager.default.fileExists(atPath: backend.alternatePath) { unlink(backend.alternatePath) }
                // Trim the journal to the intents still open; they keep their sequence numbers.
                FaultInjection.hit("state-before-journal-trim")
                try FileIO.writeAtomically(backend.journalPath, Array(kept.map { $0.line + "\n" }.joined().utf8))
                close(f.journalDescriptor)
                f.journalDescriptor = open(backend.journalPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
                return written
            }
        }
    }

    func release() async {
        releaseNow()
    }

    /// Closing descriptors and truncating the small lock file do not wait on the disk: safe anywhere.
    private func releaseNow() {
        files.withLock { f in
            guard !f.released else { return }
            f.released = true
            close(f.journalDescriptor)
            // Clear the holder record first, so that a record left behind always means a holder that died.
            _ = ftruncate(f.lockDescriptor, 0)
            _ = flock(f.lockDescriptor, LOCK_UN)
            close(f.lockDescriptor)
        }
    }
}
