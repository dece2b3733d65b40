import ArgumentParser
import MediaformCore
import MediaformKit

extension MediaformCommand {
    /// `mediaform plan [DIR]`: what apply would do, from the manifests and the state alone.
    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what apply would change, without contacting the API.",
            discussion: """
                Compares the manifests with the state and lists, per asset: + create (upload), ~ update \
                (title, description, tags, category or cover changed), -/+ replace (an upload-time input such \
                as the source changed), → move (a renamed key: the same source and upload inputs under a new \
                key; the media is kept), - delete (removed from the manifests, with --prune), ! orphan \
                (removed, kept), … in progress. Signed source URLs are shown without their query string.

                A rename is found only when exactly one removed key and one new key match; otherwise both \
                are shown as they are, with a hint to record the rename with 'mediaform state mv OLD NEW'.

                With a 'categories:' tree in mediaform.yaml, the plan lists it first: + create category \
                (parents first; apply adopts a category IMS already has at that path), ~ rename category (IMS \
                holds another name), - delete category (removed from the file, with --prune, never while in \
                use), ! orphan category. A category renamed in the file is recorded with 'mediaform state \
                mv-category OLD NEW'.

                Safety rails: a plan that deletes more media than the budget (limits.maxDeletes, default 25; \
                --max-deletes for one run), that deletes media while the manifests hold no asset at all \
                (--allow-empty accepts it), or that holds an action --allow does not list, is shown and then \
                refused with exit 1; apply refuses it the same way.

                Speed: apply records in the state which manifest files planned to no change; a later plan does \
                not parse a file whose bytes, keys and records are all as recorded (--no-cache parses them all; \
                the plan is the same).

                Exit codes: 0 success (with --detailed-exitcode: no changes); 1 error, or a plan refused by a \
                safety rail; 2 changes present (only with --detailed-exitcode).
                """
        )

        @Argument(help: "The project directory (holding mediaform.yaml).", completion: .directory)
        var directory: String = "."

        @Flag(
            help:
                "Plan deletes for assets removed from the manifests (unless protected). Also 'prune: true' in mediaform.yaml."
        )
        var prune = false

        @Option(help: "Save the plan to FILE for 'mediaform apply FILE'.", completion: .file())
        var out: String?

        @Option(
            help: ArgumentHelp(
                "Also write the plan as one self-contained HTML page for review (covers, filters, search).",
                discussion: "The normal output is printed as well. Open the file in a browser; it makes no request "
                    + "except for the cover images.",
                valueName: "file"), completion: .file())
        var html: String?

        @Flag(help: "Exit 2 when there are changes, 0 when there are none.")
        var detailedExitcode = false

        @Flag(
            help: ArgumentHelp(
                "Parse every manifest file, even those the state's manifest cache vouches for.",
                discussion: "Apply records which files planned to no change (their bytes, keys and records); a "
                    + "plan skips those files while all of that is unchanged. The plan is the same either way; "
                    + "this only costs time."))
        var noCache = false

        @Flag(
            help: """
                Read every managed media from IMS first (BatchGetMediaInfos; needs credentials) and plan from the \
                library as it is: edits made in the console, media deleted there. A read that fails fails the \
                plan (exit 1): nothing is planned from a partial read.
                """)
        var refresh = false

        @Option(help: "Output format: text, json or markdown.")
        var format: OutputFormat = .text

        @OptionGroup var scope: PlanScopeOptions
        @OptionGroup var rails: PlanGuardOptions
        @OptionGroup var sources: SourceCheckOptions
        @OptionGroup(title: "Options with --refresh") var api: APIOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            // A whole plan from the state as recorded may skip the manifest files the state vouches for; --refresh
            // changes the records first, and --target/--replace need every asset.
            let (workspace, opened) = try await Workspace.openWithState(
                directory: directory, computeDigest: out != nil,
                skipUnchanged: !refresh && scope.scope == PlanScope() && !noCache,
                color: output.useColor(onStandardError: true))
            var loaded = opened
            if refresh {
                loaded.state = try await LibraryRead.refreshed(
                    loaded.state, project: workspace.project.project, directory: directory, api: api)
            }
            let problems = scope.scope.problems(assets: workspace.project.assets, state: loaded.state)
            guard problems.isEmpty else {
                for problem in problems { Console.error(problem) }
                throw ExitCode.failure
            }
            var plan = Planner.plan(
                project: workspace.project.project, assets: workspace.project.assets,
                unchanged: workspace.project.unchangedKeys, state: loaded.state,
                prune: prune || workspace.project.project.prune, scope: scope.scope)
            plan.refreshed = refresh
            if !loaded.unresolved.isEmpty {
                Console.warning(
                    "\(loaded.unresolved.count) call(s) of an interrupted apply are unresolved; the next apply looks them up before doing anything else"
                )
            }
            PlanOutput.write(plan, format: format, color: output.useColor(onStandardError: false))
            ProcessLifetime.keep((workspace, loaded, plan))
            if let html { try await PlanOutput.writeHTML(plan, to: html) }
            try await sources.run(
                on: SourceChecking.uploads(of: plan), color: output.useColor(onStandardError: true))
            let refusals = try rails.guardFor(workspace.project.project).refusals(
                of: plan, manifestAssets: workspace.project.assetCount, stateAssets: loaded.state.assets.count)
            guard refusals.isEmpty else {
                for refusal in refusals { Console.error(refusal.description) }
                throw ExitCode.failure
            }
            if let out {
                let saved = SavedPlan(
                    plan: plan, digest: workspace.project.digest, created: Timestamps.now(),
                    generator: PlanOutput.generator,
                    directory: directory)
                try await Workspace.writePrivateFile(out, saved.fileText)
                Console.note("Saved the plan to \(out); apply it with: mediaform apply \(out)")
            }
            if detailedExitcode && plan.hasChanges { throw ExitCode(2) }
        }
    }
}

extension OutputFormat: ExpressibleByArgument {}

/// Rendering shared by `plan` and `show`.
enum PlanOutput {
    static let generator = MediaformKit.generator

    /// Writes the review page (`--html`) and says where it is.
    static func writeHTML(_ plan: MediaformCore.Plan, to path: String) async throws {
        try await Workspace.writePrivateFile(path, PlanHTMLRenderer.html(plan, generator: generator))
        Console.note("Wrote the review page to \(path); open it in a browser")
    }

    /// Writes the plan to standard output; text as it renders (`PlanRenderer.writeText`).
    static func write(_ plan: MediaformCore.Plan, format: OutputFormat, color: Bool) {
        switch format {
        case .text: PlanRenderer.writeText(plan, color: color, to: Console.out(bytes:))
        case .json: Console.out(PlanRenderer.json(plan, generator: generator).prettyJSON)
        case .markdown: Console.out(PlanRenderer.markdown(plan))
        }
    }
}
