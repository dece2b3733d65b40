import MediaformCore

extension ApplyEvent {
    /// The event as one line of `apply --format json` (the fields are listed in `docs/plan-json.md`).
    public var json: JSONValue {
        switch self {
        case .submitted(let key, let jobId, let mediaId):
            return .object([
                "event": .string("submitted"), "key": .string(key), "jobId": .string(jobId),
                "mediaId": mediaId.map(JSONValue.string) ?? .null,
            ])
        case .registered(let key, let mediaId):
            return .object(["event": .string("registered"), "key": .string(key), "mediaId": .string(mediaId)])
        case .updated(let key): return .object(["event": .string("updated"), "key": .string(key)])
        case .moved(let from, let to):
            return .object(["event": .string("moved"), "from": .string(from), "key": .string(to)])
        case .deleted(let key): return .object(["event": .string("deleted"), "key": .string(key)])
        case .forgotten(let key): return .object(["event": .string("forgotten"), "key": .string(key)])
        case .failed(let key, let code, let message):
            return .object([
                "event": .string("failed"), "key": .string(key), "code": .string(code), "message": .string(message),
            ])
        case .jobEnded(let key, let status, let code, let message):
            return .object([
                "event": .string("job-ended"), "key": .string(key), "status": .string(status.rawValue),
                "code": code.map(JSONValue.string) ?? .null, "message": message.map(JSONValue.string) ?? .null,
            ])
        case .adopted(let key, let jobId):
            return .object(["event": .string("adopted"), "key": .string(key), "jobId": .string(jobId)])
        case .category(let path, let action, let id):
            return .object([
                "event": .string("category"), "path": .string(path), "action": .string(action), "id": .int(id),
            ])
        case .note(let text): return .object(["event": .string("note"), "message": .string(text)])
        }
    }
}
