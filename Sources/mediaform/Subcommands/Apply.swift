import ArgumentParser
import Dispatch
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

                Ctrl-C once: stop sending, let calls in flight finish, save the state, exit 130. Twice: exit at \
                once (the journal is already consistent).

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

        @Option(
            help:
                "With --wait, give up waiting after this long (e.g. 30m); the jobs go on, and 'refresh' picks them up.")
        var timeout: DurationArgument = DurationArgument(.seconds(1800))

        @Flag(help: "Stop sending new calls after the first failed asset.")
        var failFast = false

        @Option(help: "Progress output: text (on stderr) or json (one event per line on stdout).")
        var format: ProgressFormat = .text

        @OptionGroup var api: APIOptions
        @OptionGroup var lockOptions: LockOptions
        @OptionGroup var output: OutputOptions

        enum ProgressFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

        func run() async throws {
            // A saved plan or a project directory?
            var saved: SavedPlan?
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory), !isDirectory.boolValue {
                let data = try Workspace.readFile(target)
                do {
                    saved = try SavedPlan.decode(try JSONParser.parse(data), file: target)
                } catch let error as JSONParser.Failure {
                    throw StateError.corrupt(
                        StateFormatError(
                            file: target, position: "\(error.line):\(error.column)",
                            message: "not a saved plan: \(error.message)"))
                }
                if saved == nil {
                    Console.error("\(target) is not a plan saved by 'mediaform plan --out'")
                    throw ExitCode.failure
                }
            }
            let directory = project ?? saved?.directory ?? target
            let color = output.useColor(onStandardError: true)
            let workspace = try Workspace.openForCommand(
                directory: directory, computeDigest: saved != nil, color: color)
            let (lock, loaded) = try workspace.backend.lock(operation: "apply", timeout: lockOptions.seconds)
            defer { lock.release() }
            for warning in lock.warnings + loaded.warnings { Console.warning(warning) }

            if let saved,
                let reason = saved.staleness(
                    lineage: loaded.state.lineage, serial: loaded.state.serial, digest: workspace.project.digest)
            {
                Console.error("the saved plan \(target) is stale: \(reason)")
                throw ExitCode.failure
            }
            let project = workspace.project.project
            let pruning = prune || project.prune || (saved?.plan.prune ?? false)
            var plan = Planner.plan(
                project: project, assets: workspace.project.assets, state: loaded.state, prune: pruning)
            let inProgress = plan.counts[.inProgress, default: 0]
            if !plan.hasChanges && loaded.unresolved.isEmpty && !(wait && inProgress > 0) {
                Console.out(plan.summaryLine + "\n")
                return
            }
            if format == .text {
                Console.out(PlanRenderer.text(plan, color: output.useColor(onStandardError: false)))
            }
            if saved == nil && !autoApprove && plan.hasChanges {
                guard isatty(STDIN_FILENO) == 1 else {
                    Console.error(
                        "apply needs a confirmation and there is no terminal: pass --auto-approve (as in CI), or apply a plan saved with 'plan --out'"
                    )
                    throw ExitCode.failure
                }
                FileHandle.standardError.write(Data("\nApply these changes? Only 'yes' is accepted: ".utf8))
                guard readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else {
                    Console.note("Apply cancelled; nothing was sent.")
                    return
                }
            }

            let connection = try await Connection.open(project: project, directory: directory, options: api)
            let stop = StopFlag()
            let progress = Progress(format: format, terminal: isatty(STDERR_FILENO) == 1)
            let applier = Applier(
                client: connection.client, lock: lock, loaded: loaded, project: project,
                options: ApplyOptions(failFast: failFast, parallelism: api.parallelism ?? project.limits.parallelism),
                stop: stop,
                emit: { progress.handle($0) })
            progress.total = plan.changes.filter(\.action.isChange).count
            let signals = SignalHandler(stop: stop)
            defer { signals.cancel() }

            var outcome: ApplyReport
            do {
                let assetsByKey = Dictionary(
                    workspace.project.assets.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
                try await applier.resolveInterrupted(assets: assetsByKey)
                if !loaded.unresolved.isEmpty {
                    // Adopted jobs changed the state: plan again from it.
                    plan = Planner.plan(
                        project: project, assets: workspace.project.assets, state: await applier.state, prune: pruning)
                }
                outcome = try await applier.apply(plan)
                try await applier.syncProtection(assets: workspace.project.assets)
                if wait && !stop.isSet {
                    progress.waiting = true
                    try await applier.track(timeout: timeout.seconds)
                    outcome = applier.currentReport
                    outcome.interrupted = stop.isSet
                }
            } catch {
                // Save what was recorded before failing: the journal has it anyway, the snapshot makes it plain.
                _ = try? await applier.finish()
                await connection.close()
                throw error
            }
            let written = try await applier.finish()
            await connection.close()
            progress.finish()
            Console.out(ApplyOutput.summary(outcome, state: written, waited: wait, calls: connection.client.statistics))
            if outcome.interrupted { throw ExitCode(130) }
            if !outcome.failures.isEmpty { throw ExitCode(3) }
        }
    }

    /// `mediaform refresh [DIR]`: one pass of job tracking over every in-progress asset.
    struct Refresh: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Update the state of submitted uploads from GetUrlUploadInfos (one pass).")

        @Argument(help: "The project directory.", completion: .directory)
        var directory: String = "."

        @OptionGroup var api: APIOptions
        @OptionGroup var lockOptions: LockOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let workspace = try Workspace.openForCommand(
                directory: directory, computeDigest: false, color: output.useColor(onStandardError: true))
            let (lock, loaded) = try workspace.backend.lock(operation: "refresh", timeout: lockOptions.seconds)
            defer { lock.release() }
            for warning in lock.warnings + loaded.warnings { Console.warning(warning) }
            let running = loaded.state.assets.values.filter { $0.status == .submitted || $0.status == .processing }
                .count
            guard running > 0 else {
                Console.out("Nothing in progress.\n")
                return
            }
            let connection = try await Connection.open(
                project: workspace.project.project, directory: directory, options: api)
            let progress = Progress(format: .text, terminal: false)
            let applier = Applier(
                client: connection.client, lock: lock, loaded: loaded, project: workspace.project.project,
                emit: { progress.handle($0) })
            let left = try await applier.track(timeout: 0, rounds: 1)
            let written = try await applier.finish()
            await connection.close()
            let report = applier.currentReport
            Console.out(
                "Refreshed \(running) job(s): \(report.ready) ready, \(report.failures.count) failed, \(left) still running. State serial \(written.serial).\n"
            )
            if !report.failures.isEmpty { throw ExitCode(3) }
        }
    }
}

/// Ctrl-C / SIGTERM: the first stops dispatching, the second exits at once.
final class SignalHandler {
    private let sources: [any DispatchSourceSignal]

    init(stop: StopFlag) {
        var made: [any DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                if stop.isSet {
                    FileHandle.standardError.write(
                        Data("\nmediaform: exiting now; the journal is consistent and the next apply resumes.\n".utf8))
                    _exit(130)
                }
                stop.set()
                FileHandle.standardError.write(
                    Data(
                        "\nmediaform: stopping: no new calls; waiting for calls in flight, then saving the state (Ctrl-C again exits at once)\n"
                            .utf8))
            }
            source.resume()
            made.append(source)
        }
        self.sources = made
    }

    func cancel() {
        for s in sources { s.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
