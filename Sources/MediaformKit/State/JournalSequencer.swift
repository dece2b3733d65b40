import MediaformCore

/// Numbers journal records for a held lock, the same way on every backend: records continue from the highest
/// sequence the state or its journal has seen, and a snapshot moves the position past everything appended.
struct JournalSequencer: Sendable {
    /// The sequence number the next record gets.
    private(set) var next: Int

    /// - Parameters:
    ///   - snapshotSequence: the position the stored snapshot records.
    ///   - lastRecord: the last journal record's sequence, if the journal has any.
    init(snapshotSequence: Int, lastRecord: Int?) {
        next = max(snapshotSequence, lastRecord ?? 0) + 1
    }

    /// `entries` as records numbered from `next`, all stamped `time`; moves `next` past them.
    mutating func records(for entries: [JournalEntry], time: String) -> [JournalRecord] {
        entries.map { entry in
            defer { next += 1 }
            return JournalRecord(sequence: next, time: time, entry: entry)
        }
    }

    /// The position a snapshot of `state` records when `unresolved` intents are kept after it, and the records of
    /// the trimmed journal. Moves `next` past the snapshot.
    mutating func snapshot(
        _ state: State, keeping unresolved: [Intent], time: String
    ) -> (written: State, kept: [JournalRecord]) {
        var written = state
        written.journalSequence = JournalRecord.snapshotSequence(
            state.journalSequence, nextSequence: next, keeping: unresolved.count)
        next = written.journalSequence + 1
        return (written, JournalRecord.retaining(unresolved, through: written.journalSequence, time: time))
    }
}
