import ArgumentParser

/// `--max-deletes` and `--allow-empty`, on `plan` and `apply`: the safety rails checked before anything is sent.
struct PlanGuardOptions: ParsableArguments {
    @Option(
        help: """
            Refuse a plan that deletes more media than this (removed assets under prune, and the old media of \
            replaced ones). Default: limits.maxDeletes, or 25.
            """)
    var maxDeletes: Int?

    @Flag(help: "Accept a plan that deletes media although the manifests hold no asset at all.")
    var allowEmpty = false

    func validate() throws {
        if let maxDeletes, maxDeletes < 0 { throw ValidationError("--max-deletes must be 0 or more") }
    }
}
