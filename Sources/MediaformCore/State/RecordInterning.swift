/// Equal values of many records decoded together, kept once.
///
/// Records written in one apply share their times, and records of one project mostly share their upload inputs
/// (the app, the workflow, often the metadata); decoded one by one, each holds its own copies (the upload inputs
/// alone are about ten allocations a record). Values are immutable, so sharing one instance is invisible.
public struct RecordInterning: Sendable {
    private var strings: Set<String> = []
    private var inputs: [[String: JSONValue]: Fingerprints.UploadText] = [:]
    /// The last upload defaults looked up, with what they gave: most records of a format 2 file write no inputs of
    /// their own, and looking the file's one defaults dictionary up again hashed it for every record.
    private var lastDefaults:
        (value: [String: JSONValue], shared: (inputs: [String: JSONValue], text: Fingerprints.UploadText))?
    /// Where the fingerprints that format 2 leaves out are recomputed, record after record.
    var scratch = TextBuffer(capacity: 512)

    public init() {}

    /// `value`, or an equal string read before.
    mutating func shared(_ value: String) -> String {
        if let index = strings.firstIndex(of: value) { return strings[index] }
        strings.insert(value)
        return value
    }

    /// `value`, or equal upload inputs read before, with their text for the upload fingerprint (made once for all
    /// the records that share them).
    mutating func shared(_ value: [String: JSONValue]) -> (inputs: [String: JSONValue], text: Fingerprints.UploadText) {
        if let index = inputs.index(forKey: value) { return (inputs.keys[index], inputs.values[index]) }
        let text = Fingerprints.UploadText(value)
        inputs[value] = text
        return (value, text)
    }

    /// `shared(value)` for a file's upload defaults, asked once per record: the same dictionary again is recognised
    /// without hashing it (`==` of a dictionary with itself compares its storage first).
    mutating func sharedDefaults(_ value: [String: JSONValue]) -> (
        inputs: [String: JSONValue], text: Fingerprints.UploadText
    ) {
        if let last = lastDefaults, last.value == value { return last.shared }
        let found = shared(value)
        lastDefaults = (value, found)
        return found
    }
}
