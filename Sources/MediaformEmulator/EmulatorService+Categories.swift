import Foundation
import MediaformCore

/// A category of the emulated library (the four category operations, as the official SDK's models have them).
struct EmulatedCategory: Sendable {
    var id: Int64
    var name: String
    /// `-1` at the top of the tree, as VOD answers (IMS's value is UNCONFIRMED; mediaform reads both -1 and 0).
    var parentId: Int64
    /// 0 at the top.
    var level: Int
    var type: String

    var json: JSONValue {
        .object([
            "CateId": .int(id), "CateName": .string(name), "ParentId": .int(parentId), "Level": .int(Int64(level)),
            "Type": .string(type),
        ])
    }

    init(id: Int64, name: String, parentId: Int64, level: Int, type: String) {
        self.id = id
        self.name = name
        self.parentId = parentId
        self.level = level
        self.type = type
    }

    init?(json: JSONValue) {
        guard let id = json["CateId"]?.looseInt, let name = json["CateName"]?.stringValue else { return nil }
        self.init(
            id: id, name: name, parentId: json["ParentId"]?.looseInt ?? -1,
            level: Int(json["Level"]?.looseInt ?? 0), type: json["Type"]?.stringValue ?? "default")
    }
}

extension EmulatorService {
    // MARK: - Categories

    /// `AddCategory`, `UpdateCategory`, `DeleteCategory`, `GetCategories`; nil for other actions.
    func performCategory(_ action: String, _ p: [String: String]) throws -> [String: JSONValue]? {
        switch action {
        case "AddCategory":
            let name = try categoryName(p)
            let type = p["Type"] ?? "default"
            guard type == "default" || type == "material" else {
                throw APIFault.invalid("Type", "It must be default or material.")
            }
            var parent: Int64 = -1, level = 0
            if let text = p["ParentId"], let id = Int64(text), id > 0 {
                guard let up = categories[id] else { throw categoryMissing(id) }
                guard up.level + 1 < APILimits.categoryDepth else {
                    throw APIFault(
                        code: "Category.LevelExceeded",
                        message: "The category tree allows at most \(APILimits.categoryDepth) levels.", status: 400)
                }
                parent = id
                level = up.level + 1
            }
            nextCategoryId += 1
            let category = EmulatedCategory(id: nextCategoryId, name: name, parentId: parent, level: level, type: type)
            categories[category.id] = category
            persistCategories()
            return ["Category": category.json]
        case "UpdateCategory":
            let id = try categoryId(p)
            let name = try categoryName(p)
            guard var category = categories[id] else { throw categoryMissing(id) }
            category.name = name
            categories[id] = category
            persistCategories()
            return [:]
        case "DeleteCategory":
            let id = try categoryId(p)
            guard categories[id] != nil else { throw categoryMissing(id) }
            // The children go with it (as in VOD); media keep the CateId of a category that no longer exists.
            var doomed: Set<Int64> = [id]
            var grew = true
            while grew {
                let below = categories.values.filter { doomed.contains($0.parentId) && !doomed.contains($0.id) }
                grew = !below.isEmpty
                doomed.formUnion(below.map(\.id))
            }
            for id in doomed { categories[id] = nil }
            persistCategories()
            return [:]
        case "GetCategories":
            let pageNo = max(1, Int(p["PageNo"] ?? "1") ?? 1)
            let pageSize = Int(p["PageSize"] ?? "10") ?? 10
            guard (10...100).contains(pageSize) else {
                throw APIFault.invalid("PageSize", "It must be between 10 and 100.")
            }
            let type = p["Type"] ?? "default"
            var body: [String: JSONValue] = [:]
            var parent: Int64 = -1
            if let text = p["CateId"], let id = Int64(text), id > 0 {
                guard let category = categories[id] else { throw categoryMissing(id) }
                body["Category"] = category.json
                parent = id
            }
            let descending = p["SortBy"]?.lowercased().hasSuffix("desc") ?? false
            let children = categories.values.filter { $0.parentId == parent && $0.type == type }
                .sorted { descending ? $0.id > $1.id : $0.id < $1.id }
            let page = children.dropFirst((pageNo - 1) * pageSize).prefix(pageSize)
            body["SubCategories"] = .object([
                "Category": .array(
                    page.map { child in
                        var object = child.json.objectValue ?? [:]
                        object["SubTotal"] = .int(Int64(categories.values.filter { $0.parentId == child.id }.count))
                        return .object(object)
                    })
            ])
            body["SubTotal"] = .int(Int64(children.count))
            return body
        default:
            return nil
        }
    }

    private func categoryName(_ p: [String: String]) throws -> String {
        guard let name = p["CateName"], !name.isEmpty else { throw APIFault.missing("CateName") }
        guard name.utf8.count <= APILimits.categoryNameBytes else {
            throw APIFault.invalid("CateName", "It must be at most \(APILimits.categoryNameBytes) bytes.")
        }
        return name
    }

    private func categoryId(_ p: [String: String]) throws -> Int64 {
        guard let text = p["CateId"], !text.isEmpty else { throw APIFault.missing("CateId") }
        guard let id = Int64(text) else { throw APIFault.invalid("CateId", "It must be an integer.") }
        return id
    }

    private func categoryMissing(_ id: Int64) -> APIFault {
        APIFault(code: "Category.NotFound", message: "The specified category \(id) does not exist.", status: 404)
    }

    /// The categories as one JSON file beside `jobs.jsonl` (they are few; rewritten whole, atomically).
    func persistCategories() {
        guard let dir = configuration.dataDirectory else { return }
        let text = JSONValue.array(categories.values.sorted { $0.id < $1.id }.map(\.json)).canonicalJSON
        try? Data(text.utf8).write(to: URL(fileURLWithPath: dir + "/categories.json"), options: .atomic)
    }

    /// Reads `categories.json` of the data directory, if any.
    static func loadCategories(_ dir: String?) -> [Int64: EmulatedCategory] {
        guard let dir, let data = FileManager.default.contents(atPath: dir + "/categories.json"),
            let value = try? JSONParser.parse(String(decoding: data, as: UTF8.self))
        else { return [:] }
        var out: [Int64: EmulatedCategory] = [:]
        for item in value.arrayValue ?? [] { if let c = EmulatedCategory(json: item) { out[c.id] = c } }
        return out
    }
}
