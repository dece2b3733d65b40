import ArgumentParser
import MediaformCore

/// Options for commands that call the API.
struct APIOptions: ParsableArguments {
    @Option(
        help:
            "The aliyun CLI profile to take credentials from (default: ALIBABA_CLOUD_PROFILE, then the file's current)."
    )
    var profile: String?

    @Option(
        help:
            "Requests per second, shared by all calls, spaced evenly 1 % under it and 2 % wider after each throttling answer (default: limits.requestsPerSecond, or 10)."
    )
    var rate: Double?

    @Option(help: "Calls in flight at once (default: limits.parallelism, or 4).")
    var parallelism: Int?

    @Option(help: "Signature version: v3 (ACS3-HMAC-SHA256, default) or v1 (HMAC-SHA1).")
    var signatureVersion: SignatureVersion = .v3

    @Flag(help: "Use the built-in emulator whatever the project's endpoint says (as 'endpoint: emulator').")
    var emulator = false

    func validate() throws {
        if let rate, rate <= 0 { throw ValidationError("--rate must be positive") }
        if let parallelism, !(1...64).contains(parallelism) {
            throw ValidationError("--parallelism must be between 1 and 64")
        }
    }
}

extension SignatureVersion: ExpressibleByArgument {}
