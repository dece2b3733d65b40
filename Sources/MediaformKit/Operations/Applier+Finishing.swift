import MediaformCore

extension Applier {
    /// Runs `body`, then writes the snapshot and closes `connection`, whether `body` returned or threw: the journal
    /// holds every change anyway, and the snapshot makes it plain. A failure of `body` is rethrown after that.
    func finishing<R>(
        closing connection: APIConnection, _ body: () async throws -> R
    ) async throws -> (result: R, state: State) {
        let result: R
        do {
            result = try await body()
        } catch {
            _ = try? await finish()
            await connection.close()
            throw error
        }
        let written: State
        do {
            written = try await finish()
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
        return (result, written)
    }
}
