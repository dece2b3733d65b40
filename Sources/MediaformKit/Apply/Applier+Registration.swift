import MediaformCore

extension Applier {
    // MARK: - Registration in place (oss:// sources)

    /// The `ClientToken` of a registration: 32 hexadecimal characters derived from the journaled intent's ID, so
    /// that a retry, or the resolution of an interrupted run, sends the same token and can never register twice.
    static func clientToken(for intentId: String) -> String {
        String(Digest.sha256Hex(intentId).prefix(32))
    }

    /// Registers `asset` (an `oss://` source): the intent is journaled (synced) first, then `RegisterMediaInfo`
    /// with its token, then the record with the media ID. Returns whether it was registered.
    func register(_ asset: Asset, previous: AssetRecord?) async throws -> Bool {
        let marker = Self.marker()
        try await recorder.record([.intent(Intent(id: marker, operation: .register, keys: [asset.key]))])
        return try await register(asset, previous: previous, intentId: marker)
    }

    /// Sends the registration of an open intent and records its outcome. An ambiguous failure leaves the intent
    /// open: the next apply sends the same token again. When `resolving` an interrupted run, it is thrown instead:
    /// nothing else may be sent while an earlier registration's outcome is unknown.
    func register(_ asset: Asset, previous: AssetRecord?, intentId: String, resolving: Bool = false) async throws
        -> Bool
    {
        let userData = RequestGroup(asset: asset, appId: project.appId).userData(marker: intentId)
        do {
            let mediaId = try await client.registerMediaInfo(
                asset, userData: userData, clientToken: Self.clientToken(for: intentId))
            FaultInjection.hit("apply-after-register")
            // Registered in place, the media exists at once: no job to track.
            let record = AssetRecord(
                asset: asset, appId: project.appId, status: .ready, mediaId: mediaId, time: now(),
                createdAt: previous?.createdAt)
            try await recorder.record([.put(key: asset.key, record: record), .done(intentId: intentId)])
            report.withLock { $0.submitted += 1 }
            emit(.registered(key: asset.key, mediaId: mediaId))
            return true
        } catch let error as APIError where error.surelyNotExecuted {
            var record =
                previous ?? AssetRecord(asset: asset, appId: project.appId, status: .failed, time: now())
            record.status = .failed
            record.lastError = RecordedError(code: error.code, message: error.description)
            record.updatedAt = now()
            try await recorder.record([.put(key: asset.key, record: record), .done(intentId: intentId)])
            fail(asset.key, error.code, error.description)
            return false
        } catch let error as APIError {
            if resolving { throw error }
            fail(
                asset.key, "Unresolved",
                "the registration's outcome is unknown (\(error.code)); the next apply sends it again with the same "
                    + "token, which cannot register twice")
            return false
        }
    }
}
