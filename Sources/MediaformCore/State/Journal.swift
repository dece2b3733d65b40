/// An operation on the remote library that was started: written and synced *before* the call (docs/design.md §5).
public struct Intent: Sendable, Equatable {
    /// Unique per call; also the marker sent in `UserData.Extend` so that the job can be recognised later.
    public var id: String
    /// What the call does.
    public var operation: RemoteOperation
    /// The asset keys the call covers.
    public var keys: [String]

    public init(id: String, operation: RemoteOperation, keys: [String]) {
        self.id = id
        self.operation = operation
        self.keys = keys
    }
}

/// One change to the state, appended to the journal (JSON lines, synced per record) as it happens.
public enum JournalEntry: Sendable, Equatable {
    /// Sets an asset's record.
    case put(key: String, record: AssetRecord)
    /// Forgets an asset.
    case remove(key: String)
    /// Moves an asset's record to another key (a rename), as one record: a crash cannot leave it under both keys
    /// or under neither. A move whose `from` has no record changes nothing, so folding it twice is harmless.
    case move(from: String, to: String)
    /// Sets a category's record (`record` non-nil) or forgets it (nil).
    case category(path: String, record: CategoryRecord?)
    /// A call is about to be made.
    case intent(Intent)
    /// The intent's call is resolved; its effects, if any, are the records written before this one.
    case done(intentId: String)
}

/// A journal line: the entry, its sequence number and when it was written.
public struct JournalRecord: Sendable, Equatable {
    public var sequence: Int
    public var time: String
    public var entry: JournalEntry

    public init(sequence: Int, time: String, entry: JournalEntry) {
        self.sequence = sequence
        self.time = time
        self.entry = entry
    }

    /// One line of canonical JSON, without the newline.
    public var line: String {
        var o: [String: JSONValue] = ["seq": .int(Int64(sequence)), "time": .string(time)]
        switch entry {
        case .put(let key, let record):
            o["type"] = .string("put")
            o["key"] = .string(key)
            o["record"] = record.storedJSON(uploadDefaults: nil)
        case .remove(let key):
            o["type"] = .string("remove")
            o["key"] = .string(key)
        case .move(let from, let to):
            o["type"] = .string("move")
            o["from"] = .string(from)
            o["key"] = .string(to)
        case .category(let path, let record):
            o["type"] = .string("category")
            o["path"] = .string(path)
            o["record"] = record?.json ?? .null
        case .intent(let intent):
            o["type"] = .string("intent")
            o["id"] = .string(intent.id)
            o["operation"] = .string(intent.operation.rawValue)
            o["keys"] = .array(intent.keys.map(JSONValue.string))
        case .done(let id):
            o["type"] = .string("done")
            o["id"] = .string(id)
        }
        return JSONValue.object(o).canonicalJSON
    }

    /// The journal position a snapshot records: past everything appended (`nextSequence - 1`), and high enough that
    /// the open intents kept after it are numbered from 1 upwards at least.
    public static func snapshotSequence(_ current: Int, nextSequence: Int, keeping unresolved: Int) -> Int {
        max(current, nextSequence - 1, unresolved)
    }

    /// The records a trimmed journal keeps after a snapshot through `sequence`: the open intents, renumbered to end
    /// at `sequence` (folding skips their changes but keeps them open until their `done` arrives).
    public static func retaining(_ unresolved: [Intent], through sequence: Int, time: String) -> [JournalRecord] {
        unresolved.enumerated().map { i, intent in
            JournalRecord(sequence: sequence - unresolved.count + 1 + i, time: time, entry: .intent(intent))
        }
    }

    /// Parses one journal line (a line of the local journal file, or a row of a database journal).
    public static func parse(_ line: Substring, file: String, lineNumber: Int) throws(StateFormatError) -> JournalRecord
    {
        let value: JSONValue
        do {
            value = try JSONParser.parse(String(line))
        } catch {
            throw StateFormatError(
                file: file, position: "\(lineNumber):\(error.column)",
                message: "not a valid journal record: \(error.message)")
        }
        do {
            return try decode(value, file: file, lineNumber: lineNumber)
        } catch {
            // Content errors are reported at the line, with the field named in the message.
            let field = error.position.split(separator: ".", maxSplits: 1).dropFirst().first.map { "'\($0)': " } ?? ""
            throw StateFormatError(
                file: file, position: "\(lineNumber):1", message: "invalid journal record: \(field)\(error.message)")
        }
    }

    private static func decode(_ value: JSONValue, file: String, lineNumber: Int) throws(StateFormatError)
        -> JournalRecord
    {
        let f = try JSONFields(value, path: "line \(lineNumber)", file: file)
        let type = try f.string("type")
        let entry: JournalEntry
        switch type {
        case "put":
            entry = .put(
                key: try f.string("key"),
                record: try AssetRecord(
                    json: f.object["record"] ?? .null, path: "line \(lineNumber).record", file: file))
        case "remove": entry = .remove(key: try f.string("key"))
        case "category":
            let record = f.object["record"] ?? .null
            entry = .category(
                path: try f.string("path"),
                record: record == .null
                    ? nil : try CategoryRecord(json: record, path: "line \(lineNumber).record", file: file))
        case "move": entry = .move(from: try f.string("from"), to: try f.string("key"))
        case "intent":
            let name = try f.string("operation")
            guard let operation = RemoteOperation(rawValue: name) else {
                throw f.fail("operation", "unknown operation '\(name)'")
            }
            entry = .intent(Intent(id: try f.string("id"), operation: operation, keys: try f.strings("keys")))
        case "done": entry = .done(intentId: try f.string("id"))
        default: throw f.fail("type", "unknown journal record type '\(type)'")
        }
        return JournalRecord(sequence: Int(try f.int("seq")), time: try f.string("time"), entry: entry)
    }
}

/// The journal's records, and whether its last line was torn by a crash in the middle of an append.
public struct JournalContents: Sendable, Equatable {
    public var records: [JournalRecord]
    /// The line number of an incomplete last line that was ignored, if any.
    public var tornLine: Int?

    public init(records: [JournalRecord] = [], tornLine: Int? = nil) {
        self.records = records
        self.tornLine = tornLine
    }

    /// Parses a journal file. Every complete line must be a valid record; only an unterminated last line that does
    /// not parse is tolerated (a crash mid-append), and reported through `tornLine`.
    public static func parse(_ text: String, file: String) throws(StateFormatError) -> JournalContents {
        var contents = JournalContents()
        let endsWithNewline = text.hasSuffix("\n")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (i, line) in lines.enumerated() where !line.isEmpty {
            let isLast = i == lines.count - 1
            do {
                contents.records.append(try JournalRecord.parse(line, file: file, lineNumber: i + 1))
            } catch {
                if isLast && !endsWithNewline {
                    contents.tornLine = i + 1
                } else {
                    throw error
                }
            }
        }
        for (a, b) in zip(contents.records, contents.records.dropFirst()) where b.sequence <= a.sequence {
            throw StateFormatError(
                file: file, position: "seq \(b.sequence)",
                message: "journal sequence numbers go backwards (\(a.sequence) then \(b.sequence))")
        }
        return contents
    }
}

extension State {
    /// Applies a `put`, `remove`, `move` or `category` to the records; intents and their `done` change no record.
    public mutating func applyAssetChange(_ entry: JournalEntry) {
        switch entry {
        case .put(let key, let record): assets[key] = record
        case .remove(let key): assets[key] = nil
        case .move(let from, let to):
            guard let record = assets[from] else { return }
            assets[from] = nil
            assets[to] = record
        case .category(let path, let record): categories[path] = record
        case .intent, .done: break
        }
    }

    /// This state with the journal's newer records applied, and the intents that have no `done` record.
    ///
    /// Records at or below `journalSequence` are already in the snapshot and are skipped, so folding twice (a crash
    /// between writing the snapshot and trimming the journal) changes nothing.
    public func folding(_ records: [JournalRecord]) -> (state: State, unresolved: [Intent]) {
        var state = self
        var open: [String: Intent] = [:]
        var order: [String] = []
        for record in records {
            switch record.entry {
            case .intent(let intent):
                // Intents are kept even when already folded: they stay open until their `done` is seen.
                if open[intent.id] == nil { order.append(intent.id) }
                open[intent.id] = intent
            case .done(let id):
                open[id] = nil
            case .put, .remove, .move, .category:
                if record.sequence > journalSequence { state.applyAssetChange(record.entry) }
            }
            state.journalSequence = max(state.journalSequence, record.sequence)
        }
        return (state, order.compactMap { open[$0] })
    }
}
