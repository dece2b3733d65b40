import MediaformCore

extension IMSClient {
    // MARK: - Categories (docs/ims-api.md §5.8; field names as in the official SDK's models)

    /// `AddCategory` (`Type` `default`, the media library's tree). Not idempotent: never retried after an
    /// ambiguous failure; apply settles such a call by reading the tree before creating anything.
    /// - Parameter parentId: nil for a top-level category.
    public func addCategory(name: String, parentId: Int64?) async throws(APIError) -> RemoteCategory {
        var p: [(name: String, value: String)] = [("CateName", name), ("Type", "default")]
        if let parentId { p.append(("ParentId", String(parentId))) }
        let body = try await call("AddCategory", p, idempotent: false)
        guard let category = body["Category"].flatMap(Self.category) else {
            throw APIError.invalidResponse(status: 200, detail: "AddCategory answered without Category.CateId")
        }
        return category
    }

    /// `UpdateCategory`: the name only (IMS cannot move a category under another parent).
    public func updateCategory(id: Int64, name: String) async throws(APIError) {
        _ = try await call("UpdateCategory", [("CateId", String(id)), ("CateName", name)], idempotent: true)
    }

    /// `DeleteCategory`. Whether IMS deletes the children with it is UNCONFIRMED (VOD does): mediaform deletes
    /// children first and never a category that still has one it keeps.
    public func deleteCategory(id: Int64) async throws(APIError) {
        _ = try await call("DeleteCategory", [("CateId", String(id))], idempotent: true)
    }

    /// One page of `GetCategories`: the category `id` (nil: the top of the tree, whose answer has no `Category`)
    /// and a page of its `SubCategories`, with `SubTotal` children in all.
    public func getCategories(id: Int64?, pageNo: Int, pageSize: Int = APILimits.categoryPageSize)
        async throws(APIError) -> (category: RemoteCategory?, children: [RemoteCategory], total: Int?)
    {
        var p: [(name: String, value: String)] = [
            ("PageNo", String(pageNo)), ("PageSize", String(pageSize)), ("Type", "default"),
        ]
        if let id { p.append(("CateId", String(id))) }
        let body = try await call("GetCategories", p, idempotent: true)
        let children = (body["SubCategories"]?["Category"]?.arrayValue ?? []).compactMap(Self.category)
        return (body["Category"].flatMap(Self.category), children, body["SubTotal"]?.looseInt.map { Int($0) })
    }

    /// The whole tree of `Type` `default`, walked from the top with `GetCategories`, page by page.
    public func categoryTree() async throws(APIError) -> [RemoteCategory] {
        var tree: [RemoteCategory] = []
        var pending: [Int64?] = [nil]
        var visited = Set<Int64>()
        while let parent = pending.popLast() {
            var page = 1
            while true {
                let answer = try await getCategories(id: parent, pageNo: page)
                for child in answer.children where visited.insert(child.id).inserted {
                    // The parent as asked: answers may leave ParentId out (read leniently).
                    var child = child
                    if child.parentId == nil { child.parentId = parent }
                    tree.append(child)
                    pending.append(child.id)
                }
                let seen = (page - 1) * APILimits.categoryPageSize + answer.children.count
                if answer.children.count < APILimits.categoryPageSize || seen >= (answer.total ?? 0) { break }
                page += 1
            }
        }
        return tree
    }

    /// A category object; `ParentId` of `-1` or `0` means none (UNCONFIRMED which one IMS uses).
    static func category(_ value: JSONValue) -> RemoteCategory? {
        guard let id = value["CateId"]?.looseInt else { return nil }
        let parent = value["ParentId"]?.looseInt
        return RemoteCategory(
            id: id, name: value["CateName"]?.looseString ?? "", parentId: parent.flatMap { $0 > 0 ? $0 : nil })
    }
}
