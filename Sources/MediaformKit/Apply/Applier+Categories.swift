import MediaformCore

extension Applier {
    // MARK: - Categories (issue 17)

    /// Creates and renames the plan's categories, parents first, before any upload refers to them.
    ///
    /// `AddCategory` is not idempotent, so the tree is read first (`GetCategories`) and a category IMS already has
    /// at a path is adopted instead of created: that settles both a lost state and a call interrupted after IMS
    /// made the category (its intent, still open, was closed by `resolveInterrupted`). Each create is journaled as
    /// an intent before the call. A failed category fails the assets that go into it (see `resolvingCategories`).
    func applyCategories(_ plan: Plan) async throws {
        let creates = plan.categories.filter { $0.action == .create }
        let renames = plan.categories.filter { $0.action == .rename }
        guard !creates.isEmpty || !renames.isEmpty, !stop.isSet else { return }
        if !creates.isEmpty {
            let existing: [String: RemoteCategory]
            do {
                existing = RemoteCategory.paths(of: try await client.categoryTree())
            } catch {
                for change in creates { failCategory(change.path, error) }
                return
            }
            for change in creates where !stop.isSet {
                try await create(change.path, existing: existing)
            }
        }
        for change in renames where !stop.isSet {
            guard let record = recorder.state.categories[change.path] else { continue }
            let name = CategoryPath.leaf(change.path)
            do {
                try await client.updateCategory(id: record.id, name: name)
            } catch {
                failCategory(change.path, error)
                continue
            }
            try await recorder.record([.category(path: change.path, record: CategoryRecord(id: record.id, name: name))])
            report.withLock { $0.categoriesChanged += 1 }
            emit(.category(path: change.path, action: "renamed", id: record.id))
        }
    }

    private func create(_ path: String, existing: [String: RemoteCategory]) async throws {
        let name = CategoryPath.leaf(path)
        if let found = existing[path] {
            try await recorder.record([.category(path: path, record: CategoryRecord(id: found.id, name: found.name))])
            report.withLock { $0.categoriesChanged += 1 }
            emit(.category(path: path, action: "adopted", id: found.id))
            return
        }
        var parentId: Int64?
        if let parent = CategoryPath.parent(path) {
            guard let record = recorder.state.categories[parent], !record.missing else {
                fail("category \(path)", "CategoryUnavailable", "its parent '\(parent)' could not be created")
                return
            }
            parentId = record.id
        }
        let marker = Self.marker()
        try await recorder.record([.intent(Intent(id: marker, operation: .createCategory, keys: [path]))])
        do {
            let created = try await client.addCategory(name: name, parentId: parentId)
            try await recorder.record([
                .category(path: path, record: CategoryRecord(id: created.id, name: name)), .done(intentId: marker),
            ])
            report.withLock { $0.categoriesChanged += 1 }
            emit(.category(path: path, action: "created", id: created.id))
        } catch let error as APIError {
            // Surely not made: close the intent. Otherwise leave it open: the next apply reads the tree first.
            if error.surelyNotExecuted { try await recorder.record([.done(intentId: marker)]) }
            failCategory(path, error)
        }
    }

    private func failCategory(_ path: String, _ error: any Error) {
        let apiError = error as? APIError
        fail("category \(path)", apiError?.code ?? "Error", apiError?.description ?? "\(error)")
    }

    /// The plan with each asset's category path given the `CateId` the state now records. Changes whose category
    /// could not be created are left out, each reported as a failure of its asset.
    func resolvingCategories(_ plan: Plan) -> Plan {
        guard plan.changes.contains(where: { $0.asset?.categoryPath != nil && $0.asset?.category == nil }) else {
            return plan
        }
        let categories = recorder.state.categories
        var resolved = plan
        resolved.changes = plan.changes.compactMap { change in
            guard var asset = change.asset, let path = asset.categoryPath, asset.category == nil else { return change }
            guard let record = categories[path], !record.missing else {
                if change.action.isChange {
                    fail(change.key, "CategoryUnavailable", "its category '\(path)' does not exist; nothing was sent")
                }
                return nil
            }
            asset.category = record.id
            var change = change
            change.asset = asset
            return change
        }
        return resolved
    }

    /// Deletes the plan's categories, deepest first, after the assets (the deletes among them may have been the
    /// last in a category). Records of categories already gone are only forgotten.
    func deleteCategories(_ plan: Plan) async throws {
        let deletes = plan.categories.filter { $0.action == .delete }
            .sorted { CategoryPath.depth($0.path) > CategoryPath.depth($1.path) }
        for change in deletes where !stop.isSet {
            let state = recorder.state
            guard let record = state.categories[change.path] else { continue }
            // An asset delete above may have failed: a category still in use stays.
            if change.operations.contains(.deleteCategory),
                state.assets.values.contains(where: { $0.fields.category == record.id })
            {
                emit(.note("category \(change.path) kept: an asset in it is still in the state"))
                continue
            }
            if change.operations.contains(.deleteCategory) {
                do {
                    try await client.deleteCategory(id: record.id)
                } catch {
                    failCategory(change.path, error)
                    continue
                }
                report.withLock { $0.categoriesChanged += 1 }
            }
            try await recorder.record([.category(path: change.path, record: nil)])
            emit(.category(path: change.path, action: "deleted", id: record.id))
        }
    }
}
