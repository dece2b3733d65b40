import ArgumentParser
import Foundation
import MediaformEmulator
import MediaformKit

extension MediaformCommand {
    /// `mediaform emulator`: a local IMS for tests and the quickstart.
    struct Emulator: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a local emulator of the IMS API (signatures, limits, jobs, faults).",
            discussion: """
                Speaks the same API as IMS for UploadMediaByURL, GetUrlUploadInfos, GetMediaInfo, \
                BatchGetMediaInfos, UpdateMediaInfo, DeleteMediaInfos and ListMediaBasicInfos; verifies V3 and V1 \
                signatures against its key pair; runs upload jobs to SUCCESS after --process-delay. \
                GET /_emulator/jobs lists every job it created. Stops on Ctrl-C or SIGTERM.

                Point mediaform at it with 'endpoint: http://127.0.0.1:PORT' in mediaform.yaml and the printed \
                key pair in ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET (or use \
                'endpoint: emulator', which runs one inside mediaform).
                """
        )

        @Option(help: "Address to listen on (loopback by default).")
        var host = "127.0.0.1"

        @Option(help: "Port (0 picks a free one).")
        var port = 8417

        @Option(help: "Keep jobs and media in DIR across restarts (default: in memory).", completion: .directory)
        var data: String?

        @Option(help: "The access key ID the emulator accepts.")
        var accessKeyId = EmulatorConfiguration.defaultAccessKeyId

        @Option(help: "The access key secret the emulator accepts.")
        var accessKeySecret = EmulatorConfiguration.defaultAccessKeySecret

        @Option(help: "Require this STS security token on every request.")
        var securityToken: String?

        @Option(help: "Time from submission to the end of a job (e.g. 2s, 500ms).")
        var processDelay: DurationArgument = DurationArgument(.seconds(2))

        @Option(help: "Requests per second above which to answer Throttling.User.")
        var rateLimit: Double?

        @Option(help: "Share of requests (0-1) answered 503 ServiceUnavailable or 500 InternalError.")
        var errorRate = 0.0

        @Option(help: "Share of requests (0-1) answered Throttling.User at random.")
        var throttleRate = 0.0

        @Option(help: "Share of uploads (0-1) committed and then left unanswered (the connection is closed).")
        var dropRate = 0.0

        @Option(help: "Delay added to every answer (e.g. 50ms).")
        var latency: DurationArgument = DurationArgument(.seconds(0))

        @Flag(help: "Fetch sources on 127.0.0.1 when a job runs; unreachable ones fail with URLInvalidError.")
        var checkSources = false

        @Option(help: "Sign callbacks with X-ICE-TIMESTAMP / X-ICE-SIGNATURE using this key.")
        var callbackAuthKey: String?

        @Option(
            help: ArgumentHelp(
                "Answer these actions (comma-separated, e.g. BatchGetMediaInfos,DeleteMediaInfos) 403 Forbidden.RAM, as IMS answers a RAM user without the permission.",
                valueName: "actions"))
        var deny: String?

        func validate() throws {
            for (name, value) in [
                ("--error-rate", errorRate), ("--throttle-rate", throttleRate), ("--drop-rate", dropRate),
            ] where !(0...1).contains(value) {
                throw ValidationError("\(name) must be between 0 and 1")
            }
            if let rateLimit, rateLimit <= 0 { throw ValidationError("--rate-limit must be positive") }
        }

        func run() async throws {
            var configuration = EmulatorConfiguration(
                host: host, port: port, dataDirectory: data, accessKeyId: accessKeyId,
                accessKeySecret: accessKeySecret,
                securityToken: securityToken, processDelay: processDelay.seconds, rateLimit: rateLimit,
                errorRate: errorRate,
                throttleRate: throttleRate, dropRate: dropRate, latency: latency.seconds,
                checkSources: checkSources, callbackAuthKey: callbackAuthKey)
            configuration.deny = Set(
                (deny ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                    !$0.isEmpty
                }
            )
            let server = try EmulatorServer(configuration: configuration)
            let endpoint = try await server.start()
            Console.out(
                """
                mediaform emulator listening on \(endpoint)
                  ALIBABA_CLOUD_ACCESS_KEY_ID=\(accessKeyId)
                  ALIBABA_CLOUD_ACCESS_KEY_SECRET=\(accessKeySecret)
                  jobs: \(endpoint)/_emulator/jobs\(data.map { "\n  data: \($0)" } ?? " (in memory)")

                """)
            await server.wait()
            Console.note("emulator stopped")
        }
    }
}
