extension NodeReader {
    /// Reads an asset mapping (`isDefaults == false`) or the `defaults` mapping into located fields.
    mutating func assetFields(_ node: YAMLNode, isDefaults: Bool) -> AssetFields? {
        let what = isDefaults ? "defaults" : "asset"
        guard let fields = fields(node, allowed: isDefaults ? ManifestKeys.defaults : ManifestKeys.asset, what: what) else {
            return nil
        }
        var a = AssetFields(location: location(node))
        func at(_ pair: YAMLPair) -> SourceLocation { location(pair.value) }

        if let p = fields["key"], let v = nonEmptyString(p.value, field: "key") { a.key = Located(v, at: at(p)) }
        if let p = fields["source"], let v = nonEmptyString(p.value, field: "source") { a.source = Located(v, at: at(p)) }
        if let p = fields["title"], let v = string(p.value, field: "title") { a.title = Located(v, at: at(p)) }
        if let p = fields["description"], let v = string(p.value, field: "description") {
            a.description = Located(v, at: at(p))
        }
        if let p = fields["tags"], let items = stringList(p.value, field: "tags") {
            a.tags = items.map { Located($0.0, at: location($0.1)) }
            a.tagsLocation = at(p)
        }
        if let p = fields["category"], let v = integer(p.value, field: "category", range: 0...Int64.max) {
            a.category = Located(v, at: at(p))
        }
        if let p = fields["cover"], let v = nonEmptyString(p.value, field: "cover") { a.cover = Located(v, at: at(p)) }
        if let p = fields["workflow"], let v = nonEmptyString(p.value, field: "workflow") {
            a.workflow = Located(v, at: at(p))
        }
        if let p = fields["fileExtension"], let v = nonEmptyString(p.value, field: "fileExtension") {
            a.fileExtension = Located(v, at: at(p))
        }
        if let p = fields["fileSize"], let v = integer(p.value, field: "fileSize", range: 1...Int64.max) {
            a.fileSize = Located(v, at: at(p))
        }
        if let p = fields["metadata"], let v = jsonObject(p.value, field: "metadata") { a.metadata = Located(v, at: at(p)) }
        if let p = fields["entity"], let v = nonEmptyString(p.value, field: "entity") { a.entity = Located(v, at: at(p)) }
        if let p = fields["protect"], let v = bool(p.value, field: "protect") { a.protect = Located(v, at: at(p)) }
        if let p = fields["callback"], let v = nonEmptyString(p.value, field: "callback") {
            a.callback = Located(v, at: at(p))
        }
        if let p = fields["extend"], let v = jsonObject(p.value, field: "extend") { a.extend = Located(v, at: at(p)) }
        if let p = fields["storage"], let storage = self.fields(p.value, allowed: ManifestKeys.storage, what: "storage") {
            if let t = storage["type"], let v = string(t.value, field: "storage.type"), v != "oss" {
                error("'storage.type' must be 'oss' (the only storage UploadMediaByURL accepts), found '\(v)'", at: t.value)
            }
            if let l = storage["location"], let v = nonEmptyString(l.value, field: "storage.location") {
                a.storageLocation = Located(v, at: location(l.value))
            } else if storage["location"] == nil {
                error("'storage' needs 'location' (the VOD storage address, e.g. outin-….oss-cn-shanghai.aliyuncs.com)", at: p.value)
            }
        }
        if let p = fields["postProcess"],
            let post = self.fields(p.value, allowed: ManifestKeys.postProcess, what: "postProcess")
        {
            if let w = post["workflow"], let v = nonEmptyString(w.value, field: "postProcess.workflow") {
                a.postProcessWorkflow = Located(v, at: location(w.value))
            } else if post["workflow"] == nil {
                error("'postProcess' needs 'workflow' (the workflow ID to run after upload)", at: p.value)
            }
        }
        for name in fields.keys where !a.hasValue(for: name) { a.invalidKeys.insert(name) }
        return a
    }
}

extension AssetFields {
    /// Whether the decoded fields hold a value for the manifest key `name`.
    func hasValue(for name: String) -> Bool {
        switch name {
        case "key": key != nil
        case "source": source != nil
        case "title": title != nil
        default: true  // only required keys matter to the "missing" checks
        }
    }
}
