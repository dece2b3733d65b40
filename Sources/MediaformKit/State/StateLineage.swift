import Foundation

/// Lineages: the random identity a state gets on its first write, which saved plans and migrations compare.
public enum StateLineage {
    /// A new lineage (a lower-case UUID).
    public static func make() -> String { UUID().uuidString.lowercased() }
}
