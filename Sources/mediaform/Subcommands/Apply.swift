import ArgumentParser
import Foundation
import MediaformCore
import MediaformKit

extension MediaformCommand {
    /// `mediaform apply [DIR | PLANFILE]`.
    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Upload new assets, update changed ones, and (with --prune) delete removed ones.",
            discussion: """
                Plans (or takes a plan saved with 'plan --out'), asks for confirmation on a terminal, then submits \
                uploads in batches of up to 20 URLs with the same request-level settings, at the shared request \
                rate, with bounded parallelism. Every upload is journaled before it is sent and carries a marker, \
                so an interrupted apply (Ctrl-C, a CI timeout, kill -9) resumes without uploading anything twice: \
                the next apply looks the interrupted calls up first.

                A saved plan is applied only as it was reviewed: it is refused when the state or a manifest \
                changed since, when another mediaform version saved it, or when the plan made now differs from \
                it in any asset (an edited file).

                Ctrl-C once: stop sending, let calls in flight finish, save the state, exit 130. Twice: exit at \
                once (the journal is already consistent).

                A plan over the deletion budget (limits.maxDeletes, default 25; --max-deletes), one that deletes \
                media while the manifests hold no asset (--allow-empty), or one holding an action that --allow \
                does not list, is shown and refused before anything is sent.

                Renamed keys are moves (see 'mediaform plan --help'): the record moves in the state, the media \
                stays. --target and --replace narrow or force the plan as in 'plan'; a saved plan keeps the \
                scope it was made with, so they cannot be given with one.

                Exit codes: 0 success; 1 error (nothing or only part was done; the state records what was); \
                3 finished, but some assets failed (listed at the end); 130 interrupted.
                """
        )

        @Argument(help: "The project directory, or a plan file saved with 'plan --out'.", completion: .file())
        var target: String = "."

        @Option(
            name: [.customShort("C"), .long],
            help: "The project directory of a saved plan (default: where it was planned).")
        var project: String?

        @Flag(help: "Apply without asking (required when there is no terminal, as in CI).")
        var autoApprove = false

        @Flag(help: "Delete assets removed from the manifests (unless protected), and the old media of replaced ones.")
        var prune = false

        @Flag(help: "Wait until every submitted job has ended, polling GetUrlUploadInfos.")
        var wait = false

        @Option(help: "With --wait, give up waiting after this long; the jobs go on, and 'refresh' picks them up.")
        var timeout = DurationArgument(.seconds(1800))

        @Flag(help: "Stop sending new calls after the first failed asset.")
        var failFast = false

        @Flag(
            help: """
                Read every managed media from IMS first and plan from the library as it is (see 'plan --refresh'); \
                what was read is recorded in the state with the changes.
                """)
        var refresh = false

        @Option(help: "Progress output: text (on stderr) or json (one event per line on stdout).")
        var format: ProgressFormat = .text

        @OptionGroup var scope: PlanScopeOptions
        @OptionGroup var rails: PlanGuardOptions
        @OptionGroup var sources: SourceCheckOptions
        @OptionGroup var api: APIOptions
        @OptionGroup var lockOptions: LockOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let target = try await ApplyTarget.resolve(self.target, project: project)
            let workspace = try await Workspace.openForCommand(
                directory: target.directory, computeDigest: target.saved != nil,
                color: output.useColor(onStandardError: true))
            let stop = StopFlag()
            let progress = Progress(format: format, terminal: isatty(STDERR_FILENO) == 1)
            let run = ApplyRun(
                workspace: workspace, saved: target.saved,
                options: ApplyRun.Options(
                    prune: prune, wait: wait, waitTimeout: timeout.seconds, failFast: failFast,
                    parallelism: api.parallelism, lockTimeout: lockOptions.seconds, maxDeletes: rails.maxDeletes,
                    allowEmpty: rails.allowEmpty, allowedActions: try rails.allowedActions(), scope: scope.scope,
                    refresh: refresh, sourceChecking: sources.checking),
                connect: { [api, directory = target.directory] project in
                    try await Connection.open(project: project, directory: directory, options: api)
                },
                approve: { [autoApprove] _ in try autoApprove || Confirmation.ask("Apply these changes?") },
                stop: stop,
                events: { [format, color = output.useColor(onStandardError: false)] event in
                    if case .planned(let plan) = event, format == .text {
                        PlanRenderer.writeText(plan, color: color, to: Console.out(bytes:))
                    }
                    progress.handle(event)
                })
            let signals = SignalHandler(stop: stop)
            defer { signals.cancel() }
            switch try await run.run() {
            case .noChanges(let plan):
                Console.out(plan.summaryLine + "\n")
            case .cancelled:
                Console.note("Apply cancelled; nothing was sent.")
            case .applied(let applied):
                progress.finish()
                Console.out(
                    ApplyReportRenderer.summary(
                        applied.report, state: applied.state, waited: wait, calls: applied.statistics))
                if applied.report.interrupted { throw ExitCode(130) }
                if !applied.report.failures.isEmpty { throw ExitCode(3) }
            }
        }
    }
}
