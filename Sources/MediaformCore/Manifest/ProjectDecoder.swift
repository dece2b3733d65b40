extension NodeReader {
    /// Decodes `mediaform.yaml`. Returns the project (with defaults filled in where values were bad, so that the
    /// assets can still be checked) and the `defaults` fields.
    mutating func project(_ root: YAMLNode) -> (project: Project, defaults: AssetFields?, globs: [SourceLocation])? {
        guard let fields = fields(root, allowed: ManifestKeys.project, what: "the project file", extensionKeys: true)
        else { return nil }
        var project = Project(region: "")
        var defaults: AssetFields?
        var globLocations: [SourceLocation] = []

        if let p = fields["version"] {
            if let v = integer(p.value, field: "version", range: 0...Int64(Int32.max)) {
                if v > Project.supportedVersion {
                    error(
                        "project file version \(v) is newer than this mediaform supports (\(Project.supportedVersion)); upgrade mediaform",
                        at: p.value)
                } else if v < 1 {
                    error("'version' must be \(Project.supportedVersion)", at: p.value)
                }
                project.version = Int(v)
            }
        } else {
            error("the project file is missing 'version' (write 'version: \(Project.supportedVersion)')", at: root)
        }

        if let p = fields["region"] {
            if let region = nonEmptyString(p.value, field: "region") {
                project.region = region
                if !Project.uploadRegions.contains(region) {
                    var message =
                        "region '\(region)' does not offer UploadMediaByURL; use one of \(Project.uploadRegions.map { "'\($0)'" }.joined(separator: ", "))"
                    if let s = Spelling.suggestion(for: region, among: Project.uploadRegions) {
                        message += "; did you mean '\(s)'?"
                    }
                    error(message, at: p.value)
                }
            }
        } else {
            error(
                "the project file is missing 'region' (one of \(Project.uploadRegions.joined(separator: ", ")))",
                at: root)
        }

        if let p = fields["endpoint"], let e = nonEmptyString(p.value, field: "endpoint") {
            if e == "emulator" {
                project.endpoint = .emulator
            } else if let problem = EndpointRules.problem(with: e) {
                error("'endpoint' \(problem)", at: p.value)
            } else {
                project.endpoint = .url(e)
            }
        }
        if let p = fields["appId"], let v = nonEmptyString(p.value, field: "appId") { project.appId = v }

        if let p = fields["manifests"], let globs = stringList(p.value, field: "manifests") {
            if globs.isEmpty { error("'manifests' must list at least one glob", at: p.value) }
            var usable: [(String, YAMLNode)] = []
            for (glob, node) in globs {
                if glob.hasPrefix("/") || glob.split(separator: "/").contains("..") {
                    error("manifest glob '\(glob)' must be relative and stay inside the project directory", at: node)
                } else {
                    usable.append((glob, node))
                }
            }
            project.manifests = usable.map(\.0)
            globLocations = usable.map { location($0.1) }
        }

        if let p = fields["state"], let state = self.fields(p.value, allowed: ManifestKeys.state, what: "state") {
            if let b = state["backend"], let v = string(b.value, field: "state.backend") {
                if let backend = Project.StateSettings.Backend(rawValue: v) {
                    project.state.backend = backend
                } else {
                    let known = Project.StateSettings.Backend.allCases.map { "'\($0.rawValue)'" }.joined(
                        separator: ", ")
                    error("unknown state backend '\(v)'; this version supports \(known)", at: b.value)
                }
            }
            if let pathNode = state["path"], let v = nonEmptyString(pathNode.value, field: "state.path") {
                project.state.path = v
            }
            if let urlNode = state["url"], let v = nonEmptyString(urlNode.value, field: "state.url") {
                // The project file is committed: a password in it would leak through git. It belongs in
                // MEDIAFORM_PG_URL or PGPASSWORD, which CI systems keep as secrets.
                switch PostgresURL.parse(v) {
                case .failure(let problem):
                    error("state.url: \(problem.message)", at: urlNode.value)
                case .success(let url) where url.password != nil:
                    error(
                        "state.url must not contain a password (mediaform.yaml is committed); put the password in the MEDIAFORM_PG_URL or PGPASSWORD environment variable",
                        at: urlNode.value)
                case .success:
                    project.state.url = v
                }
            }
            if let nameNode = state["name"], let v = nonEmptyString(nameNode.value, field: "state.name") {
                if v.utf8.count > 200 || v.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
                {
                    error("state.name must be at most 200 bytes without control characters", at: nameNode.value)
                } else {
                    project.state.name = v
                }
            }
            if let schemaNode = state["schema"], let v = nonEmptyString(schemaNode.value, field: "state.schema") {
                if PostgresURL.isPlainIdentifier(v) {
                    project.state.schema = v
                } else {
                    error(
                        "state.schema must be a plain identifier (lower-case letters, digits, '_', at most 63 bytes, not starting with a digit)",
                        at: schemaNode.value)
                }
            }
            if project.state.backend == .postgres {
                if project.state.name == nil {
                    error(
                        "state.name is required with the postgres backend: it names this project's state in the shared database",
                        at: p.value)
                }
                if state["path"] != nil {
                    warning("state.path is ignored with the postgres backend", at: p.value)
                }
            } else {
                for key in ["url", "name", "schema"] {
                    guard let entry = state[key] else { continue }
                    warning("state.\(key) is only used with the postgres backend", at: entry.value)
                }
            }
        }

        if let p = fields["limits"], let limits = self.fields(p.value, allowed: ManifestKeys.limits, what: "limits") {
            if let r = limits["requestsPerSecond"], let v = positiveNumber(r.value, field: "limits.requestsPerSecond") {
                project.limits.requestsPerSecond = v
            }
            if let n = limits["maxDeletes"], let v = integer(n.value, field: "limits.maxDeletes", range: 0...1_000_000)
            {
                project.limits.maxDeletes = Int(v)
            }
            if let n = limits["parallelism"], let v = integer(n.value, field: "limits.parallelism", range: 1...64) {
                project.limits.parallelism = Int(v)
            }
        }
        if let p = fields["prune"], let v = bool(p.value, field: "prune") { project.prune = v }
        if let p = fields["categories"], let paths = stringList(p.value, field: "categories") {
            var seen = Set<String>()
            var usable: [String] = []
            for (path, node) in paths {
                if let problem = CategoryPath.problem(path) {
                    error(problem, at: node)
                } else if !seen.insert(path).inserted {
                    warning("category '\(path)' is listed twice", at: node)
                } else {
                    usable.append(path)
                }
            }
            project.categories = CategoryPath.closure(usable)
        }
        if let p = fields["defaults"] { defaults = assetFields(p.value, isDefaults: true) }
        return (project, defaults, globLocations)
    }

    /// The items of an asset file's `assets` list (a list, with an optional `version` beside it), after checking
    /// the file's other keys; `assetFields` reads each. Nil when there are none to read.
    mutating func manifestItems(_ root: YAMLNode) -> YAMLItems? {
        guard let fields = fields(root, allowed: ManifestKeys.manifestFile, what: "an asset file", extensionKeys: true)
        else { return nil }
        if let p = fields["version"], let v = integer(p.value, field: "version", range: 0...Int64(Int32.max)),
            v != Int64(Project.supportedVersion)
        {
            error(
                "asset file version \(v) is not supported (this mediaform reads version \(Project.supportedVersion))",
                at: p.value)
        }
        guard let p = fields["assets"] else {
            error("an asset file needs an 'assets' list", at: root)
            return nil
        }
        guard let items = p.value.sequence else {
            if case .null? = p.value.scalar?.resolved { return nil }
            error("'assets' must be a list, found \(p.value.kindDescription)", at: p.value)
            return nil
        }
        return items
    }
}
