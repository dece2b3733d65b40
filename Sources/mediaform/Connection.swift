import ArgumentParser
import Foundation
import MediaformCore
import MediaformEmulator
import MediaformKit

/// Opens the API connection of a project: for `endpoint: emulator` (or `--emulator`), an emulator started in this
/// process first; otherwise the regional or given endpoint with the credential chain.
enum Connection {
    static func open(project: Project, directory: String, options: APIOptions) async throws -> APIConnection {
        let rate = options.rate ?? project.limits.requestsPerSecond
        let parallelism = options.parallelism ?? project.limits.parallelism
        let environment = ProcessInfo.processInfo.environment
        switch options.emulator ? .emulator : project.endpoint {
        case .emulator:
            // The built-in emulator keeps its jobs under .mediaform/emulator, so state and jobs stay in step.
            let delay = environment["MEDIAFORM_EMULATOR_DELAY"].flatMap(Double.init) ?? 2
            let server = try EmulatorServer(
                configuration: EmulatorConfiguration(
                    port: 0, dataDirectory: ProjectLoader.join(directory, ".mediaform/emulator"), processDelay: delay))
            let endpoint = try await server.start()
            let client = IMSClient(
                configuration: ClientConfiguration(endpoint: endpoint, signatureVersion: options.signatureVersion),
                credentials: StaticCredentials(
                    AccessKey(
                        id: EmulatorConfiguration.defaultAccessKeyId,
                        secret: EmulatorConfiguration.defaultAccessKeySecret), source: "built-in emulator"),
                requestsPerSecond: rate, parallelism: parallelism)
            return APIConnection(client: client, close: { await server.stop() })
        case .regional, .url:
            let endpoint: String
            if case .url(let url) = project.endpoint {
                endpoint = try ClientConfiguration.endpoint(fromURL: url)
            } else {
                endpoint = ClientConfiguration.regionalEndpoint(region: project.region)
            }
            let credentials = CredentialChain(
                environment: environment, home: environment["HOME"] ?? NSHomeDirectory(), profile: options.profile,
                transport: HTTPClientTransport.shared)
            // Fail early, before planning anything, when there are no credentials.
            do {
                _ = try await credentials.credentials()
            } catch {
                Console.error(error.description)
                throw ExitCode.failure
            }
            let client = IMSClient(
                configuration: ClientConfiguration(endpoint: endpoint, signatureVersion: options.signatureVersion),
                credentials: credentials, requestsPerSecond: rate, parallelism: parallelism)
            return APIConnection(client: client)
        }
    }
}
