import Foundation
import MediaformCore
import MediaformKit

/// The throw-away PostgreSQL cluster that `Scripts/test` starts (`Scripts/pg-cluster.sh`) and passes to the tests as
/// `MEDIAFORM_TEST_PG_URL`. Every test uses a state name of its own, so tests share one database without meeting.
public enum TestDatabase {
    public static let url: String? = {
        let value = ProcessInfo.processInfo.environment["MEDIAFORM_TEST_PG_URL"] ?? ""
        return value.isEmpty ? nil : value
    }()

    /// Whether the PostgreSQL cases can run. Under CI (`CI=true`) a missing database is a test failure
    /// (`BackendConformanceTests.postgresIsAvailableUnderCI`), never a silent skip.
    public static var isAvailable: Bool { url != nil }

    /// A state name no other test uses.
    public static func uniqueName(_ label: String = "test") -> String {
        "\(label)-\(UUID().uuidString.lowercased().prefix(12))"
    }

    /// The environment that points a mediaform process at the test database.
    public static var environment: [String: String] {
        url.map { [PostgresStateSettings.urlVariable: $0] } ?? [:]
    }

    /// A postgres backend for a new, empty state.
    public static func backend(name: String = uniqueName(), clock: @escaping @Sendable () -> String = { Builders.time })
        -> PostgresStateBackend
    {
        PostgresStateBackend(
            settings: Project.StateSettings(backend: .postgres, name: name), environment: environment, clock: clock)
    }

    /// The `state:` section of a project file for the test database.
    public static func stateSection(name: String) -> String {
        "state:\n  backend: postgres\n  name: \(name)\n"
    }
}
