extension NodeReader {
    /// A list of managed field names (`[title, tags]`); each unknown name is an error at its item, with a hint.
    mutating func managedFields(_ node: YAMLNode, field: String) -> ManagedFields? {
        guard let items = stringList(node, field: field) else { return nil }
        var set: ManagedFields = []
        let names = ManagedFields.named.map(\.name)
        for (name, item) in items {
            guard let managed = ManagedFields(name: name) else {
                var message =
                    "'\(name)' in '\(field)' is not a field mediaform updates (\(names.joined(separator: ", ")))"
                if let near = Spelling.suggestion(for: name, among: names) { message += "; did you mean '\(near)'?" }
                error(message, at: item)
                continue
            }
            set.insert(managed)
        }
        return set
    }

    /// Reads an asset mapping (`isDefaults == false`) or the `defaults` mapping into located fields.
    ///
    /// One pass over the pairs with a switch on the key: this runs for every asset, so no dictionary is built.
    mutating func assetFields(_ node: YAMLNode, isDefaults: Bool) -> AssetFields? {
        let what = isDefaults ? "defaults" : "asset"
        guard let pairs = node.mapping else {
            error("\(what) must be a mapping, found \(node.kindDescription)", at: node)
            return nil
        }
        func place(_ n: YAMLNode) -> SourcePlace { SourcePlace(n.mark, fromDefaults: isDefaults) }
        var a = AssetFields(place: place(node))
        for pair in pairs {
            guard let name = pair.key.scalar?.text else {
                error("keys must be strings, found \(pair.key.kindDescription)", at: pair.key)
                continue
            }
            let v = pair.value
            let at = place(v)
            switch name {
            case "key" where !isDefaults:
                a.key = nonEmptyString(v, field: "key").map { Located($0, at: at) }
            case "source" where !isDefaults:
                a.source = nonEmptyString(v, field: "source").map { Located($0, at: at) }
                if a.source == nil { a.invalidRequired.insert(.source) }
            case "title":
                a.title = string(v, field: "title").map { Located($0, at: at) }
                if a.title == nil { a.invalidRequired.insert(.title) }
            case "description": a.description = string(v, field: "description").map { Located($0, at: at) }
            case "tags":
                if let items = stringList(v, field: "tags") {
                    a.tags = items.map { Located($0.0, at: place($0.1)) }
                    a.tagsPlace = at
                }
            case "category":
                // A number is a CateId as IMS knows it; text is a path of the project's `categories:`. A quoted
                // number is text (a category may be named "2024"); the validator explains if none is declared.
                if let scalar = v.scalar, scalar.style == .plain,
                    !scalar.text.isEmpty,
                    scalar.text.utf8.allSatisfy({
                        ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-")
                            || $0 == UInt8(ascii: "+")
                    })
                {
                    a.category = integer(v, field: "category", range: 0...Int64.max).map { Located(.id($0), at: at) }
                } else if let path = nonEmptyString(v, field: "category") {
                    a.category = Located(.path(path), at: at)
                }
            case "cover": a.cover = nonEmptyString(v, field: "cover").map { Located($0, at: at) }
            case "workflow": a.workflow = nonEmptyString(v, field: "workflow").map { Located($0, at: at) }
            case "fileExtension":
                a.fileExtension = nonEmptyString(v, field: "fileExtension").map { Located($0, at: at) }
            case "fileSize":
                a.fileSize = integer(v, field: "fileSize", range: 1...Int64.max).map { Located($0, at: at) }
            case "metadata": a.metadata = jsonObject(v, field: "metadata").map { Located($0, at: at) }
            case "entity": a.entity = nonEmptyString(v, field: "entity").map { Located($0, at: at) }
            case "protect": a.protect = bool(v, field: "protect").map { Located($0, at: at) }
            case "ignoreChanges": a.ignoreChanges = managedFields(v, field: "ignoreChanges").map { Located($0, at: at) }
            case "callback": a.callback = nonEmptyString(v, field: "callback").map { Located($0, at: at) }
            case "extend": a.extend = jsonObject(v, field: "extend").map { Located($0, at: at) }
            case "storage":
                guard let storage = fields(v, allowed: ManifestKeys.storage, what: "storage") else { break }
                if let t = storage["type"], let type = string(t.value, field: "storage.type"), type != "oss" {
                    error(
                        "'storage.type' must be 'oss' (the only storage UploadMediaByURL accepts), found '\(type)'",
                        at: t.value)
                }
                if let l = storage["location"] {
                    a.storageLocation = nonEmptyString(l.value, field: "storage.location").map {
                        Located($0, at: place(l.value))
                    }
                } else {
                    error(
                        "'storage' needs 'location' (the VOD storage address, e.g. outin-….oss-cn-shanghai.aliyuncs.com)",
                        at: v)
                }
            case "postProcess":
                guard let post = fields(v, allowed: ManifestKeys.postProcess, what: "postProcess") else { break }
                if let w = post["workflow"] {
                    a.postProcessWorkflow = nonEmptyString(w.value, field: "postProcess.workflow").map {
                        Located($0, at: place(w.value))
                    }
                } else {
                    error("'postProcess' needs 'workflow' (the workflow ID to run after upload)", at: v)
                }
            default:
                reportUnknownKey(
                    name, at: pair.key, allowed: isDefaults ? ManifestKeys.defaults : ManifestKeys.asset, what: what)
            }
        }
        return a
    }
}
