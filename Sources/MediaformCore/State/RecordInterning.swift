/// Equal values of many records decoded together, kept once.
///
/// Records written in one apply share their times, and records of one project mostly share their upload inputs
/// (the app, the workflow, often the metadata); decoded one by one, each holds its own copies (the upload inputs
/// alone are about ten allocations a record). Values are immutable, so sharing one instance is invisible.
public struct RecordInterning: Sendable {
    private var strings: Set<String> = []
    private var inputs: Set<[String: JSONValue]> = []

    public init() {}

    /// `value`, or an equal string read before.
    mutating func shared(_ value: String) -> String {
        if let index = strings.firstIndex(of: value) { return strings[index] }
        strings.insert(value)
        return value
    }

    /// `value`, or equal upload inputs read before.
    mutating func shared(_ value: [String: JSONValue]) -> [String: JSONValue] {
        if let index = inputs.firstIndex(of: value) { return inputs[index] }
        inputs.insert(value)
        return value
    }
}
