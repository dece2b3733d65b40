import Foundation
import MediaformCore
import MediaformKit

/// The emulated API: authentication like the gateway, validation like the API, jobs with a lifecycle, faults on
/// demand, and persistence to an append-only log. The HTTP server in front of it is `EmulatorServer`.
public actor EmulatorService {
    public let configuration: EmulatorConfiguration
    /// Every job, by job ID and by media ID: one index, changed in place.
    var index = JobIndex()
    var jobs: [EmulatedJob] { index.jobs }
    var nonces: [String: Double] = [:]
    /// The category tree, by `CateId`.
    var categories: [Int64: EmulatedCategory] = [:]
    /// The last `CateId` given (IDs start above 1000, as real ones are large numbers).
    var nextCategoryId: Int64 = 1000
    var requestTimes: [Double] = []
    var log: FileHandle?
    var random: SystemRandomNumberGenerator
    let callbackTransport = HTTPClientTransport.shared

    public init(configuration: EmulatorConfiguration) throws {
        self.configuration = configuration
        self.random = SystemRandomNumberGenerator()
        if let dir = configuration.dataDirectory {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let path = dir + "/jobs.jsonl"
            if let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) {
                for line in text.split(separator: "\n") {
                    // A torn last line (the emulator was killed mid-write) is skipped.
                    guard let value = try? JSONParser.parse(String(line)), let job = try? EmulatedJob(json: value)
                    else { continue }
                    index.insert(job)
                }
            } else {
                _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
            }
            log = FileHandle(forWritingAtPath: path)
            log?.seekToEndOfFile()
            categories = Self.loadCategories(dir)
            nextCategoryId = max(nextCategoryId, categories.keys.max() ?? 0)
        }
    }

    func now() -> Double { configuration.clock() }

    func persist(_ job: EmulatedJob) {
        guard let log else { return }
        log.write(Data((job.json.canonicalJSON + "\n").utf8))
        try? log.synchronize()
    }

    func store(_ job: EmulatedJob) {
        index.insert(job)
        persist(job)
    }

    static func id() -> String { UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "") }

    // MARK: - Entry point

    /// Answers one request.
    public func handle(_ request: EmulatorRequest) async -> EmulatorResponse {
        let requestId = UUID().uuidString.uppercased()
        if configuration.latency > 0 { try? await Task.sleep(nanoseconds: UInt64(configuration.latency * 1e9)) }
        do {
            var parameters = try Self.parameters(request)
            let action = try authenticate(request, parameters: &parameters)
            if configuration.deny.contains(action) {
                throw APIFault(
                    code: "Forbidden.RAM",
                    message:
                        "User not authorized to operate on the specified resource, or this API doesn't support RAM.",
                    status: 403)
            }
            try throttle()
            if configuration.errorRate > 0, Double.random(in: 0..<1, using: &random) < configuration.errorRate {
                throw Bool.random(using: &random)
                    ? APIFault(
                        code: "ServiceUnavailable",
                        message: "The request has failed due to a temporary failure of the server.", status: 503)
                    : APIFault(
                        code: "InternalError", message: "The request processing has failed due to some unknown error.",
                        status: 500)
            }
            var body = try await perform(action, Dictionary(parameters, uniquingKeysWith: { a, _ in a }))
            body["RequestId"] = .string(requestId)
            var response = EmulatorResponse.json(.object(body))
            if action == "UploadMediaByURL" || action == "RegisterMediaInfo", configuration.dropRate > 0,
                Double.random(in: 0..<1, using: &random) < configuration.dropRate
            {
                response.drop = true
            }
            return response
        } catch let fault as APIFault {
            return .json(
                .object([
                    "RequestId": .string(requestId), "HostId": .string(request.headers["host"] ?? "ice.emulator"),
                    "Code": .string(fault.code),
                    "Message": .string(fault.message),
                    "Recommend": .string(
                        "https://api.aliyun.com/troubleshoot?q=\(fault.code)&product=ICE&requestId=\(requestId)"),
                ]), status: fault.status)
        } catch {
            return .json(
                .object([
                    "RequestId": .string(requestId), "Code": .string("InternalError"), "Message": .string("\(error)"),
                ]), status: 500)
        }
    }

    /// Query parameters, plus form-body parameters (the legacy SDK may POST a form).
    static func parameters(_ request: EmulatorRequest) throws -> [(name: String, value: String)] {
        guard var pairs = PercentEncoding.parseQuery(Substring(request.query)) else {
            throw APIFault(code: "InvalidParameter", message: "The query string is not correctly encoded.", status: 400)
        }
        if request.headers["content-type"]?.hasPrefix("application/x-www-form-urlencoded") == true,
            !request.body.isEmpty
        {
            guard let form = PercentEncoding.parseQuery(Substring(String(decoding: request.body, as: UTF8.self))) else {
                throw APIFault(
                    code: "InvalidParameter", message: "The form body is not correctly encoded.", status: 400)
            }
            pairs += form
        }
        return pairs
    }

}
