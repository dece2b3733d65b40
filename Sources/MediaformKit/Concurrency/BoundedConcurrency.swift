/// Runs `body` for each item with at most `limit` calls in flight, and returns the results in completion order.
///
/// The window keeps memory proportional to `limit`, not to the number of items, and `stop` holds back every item
/// not yet dispatched (the calls in flight finish).
func boundedConcurrentMap<Item: Sendable, Output: Sendable>(
    _ items: some Sequence<Item>, limit: Int, stop: StopFlag,
    _ body: @escaping @Sendable (Item) async throws -> Output
) async throws -> [Output] {
    try await withThrowingTaskGroup(of: Output.self) { group in
        var outputs: [Output] = []
        var inFlight = 0
        for item in items {
            if inFlight >= max(1, limit), let done = try await group.next() {
                outputs.append(done)
                inFlight -= 1
            }
            if stop.isSet { break }
            group.addTask { try await body(item) }
            inFlight += 1
        }
        for try await done in group { outputs.append(done) }
        return outputs
    }
}
