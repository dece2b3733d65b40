/// The files `mediaform init` writes: a project that validates and plans at once, and applies against the
/// built-in emulator without an account (`endpoint: emulator`, the default). Pure text; the command writes it.
public enum ProjectTemplate {
    /// Where `apply` sends calls.
    public enum Endpoint: Sendable, Equatable {
        /// The built-in emulator (no account needed).
        case emulator
        /// The region's public endpoint (`ice.<region>.aliyuncs.com`): the line is left out.
        case regional
        /// An explicit endpoint URL.
        case url(String)
    }

    /// The files, by path relative to the project directory, in the order they are written.
    public static func files(region: String, endpoint: Endpoint) -> [(path: String, text: String)] {
        [
            (Project.fileName, projectFile(region: region, endpoint: endpoint)),
            ("assets/example.yaml", exampleManifest),
            (".gitignore", gitignore),
        ]
    }

    static func projectFile(region: String, endpoint: Endpoint) -> String {
        let endpointLine: String
        switch endpoint {
        case .emulator:
            endpointLine =
                "endpoint: emulator   # the built-in IMS emulator: apply works without an account. Remove this line to use\n"
                + "                     # ice.\(region).aliyuncs.com with your credentials (see 'mediaform apply --help').\n"
        case .regional:
            endpointLine = "# endpoint: emulator # the built-in IMS emulator, to try things without an account\n"
        case .url(let url):
            endpointLine = "endpoint: \(url)\n"
        }
        return """
            # yaml-language-server: $schema=https://mediaform.dev/schemas/project.schema.json
            # A mediaform project: the media library as code. 'mediaform plan' shows what would change;
            # 'mediaform apply' makes it so. Reference: docs/manifest.md.
            version: 1
            region: \(region)
            \(endpointLine)manifests: ["assets/**/*.yaml"]

            # The category tree mediaform manages, by path (parents implied); assets name them by path.
            # categories:
            #   - Courses/Swift
            #   - Podcasts

            # Applied to every asset; an asset's own value wins, tags are combined.
            # defaults:
            #   category: Courses/Swift   # a path declared above, or a numeric CateId
            #   tags: [team]
            #   ignoreChanges: [description]   # fields left to the IMS console after the first upload

            # limits:
            #   requestsPerSecond: 10   # shared by every call of a run
            #   parallelism: 4          # calls in flight at once
            #   maxDeletes: 25          # a plan that deletes more media is refused (--max-deletes for one run)

            # Delete media whose assets leave the manifests (never protected ones). Off: they are reported.
            # prune: true

            """
    }

    static let exampleManifest = """
        # yaml-language-server: $schema=https://mediaform.dev/schemas/manifest.schema.json
        # One asset per entry. 'key' is its identity (renaming it is a move, not a new upload); 'source' is the URL
        # IMS fetches (a signed URL is shown and stored without its signature), or oss://bucket/object to register
        # an object of your own bucket in place. Run 'mediaform validate' after editing.
        assets:
          - key: welcome
            source: https://media.example.com/welcome.mp4
            title: Welcome
            # description: A short introduction.
            # tags: [intro]
            # category: Courses/Swift   # a path of 'categories:' in mediaform.yaml, or a numeric CateId
            # cover: https://media.example.com/welcome.jpg
            # protect: true          # never deleted by mediaform, even with prune

        """

    static let gitignore = """
        # mediaform's work files (journal, lock, the built-in emulator's data). The state file itself,
        # mediaform.state.json, is meant to be committed.
        .mediaform/

        """
}
