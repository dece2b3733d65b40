import Foundation
import MediaformCore
import MediaformKit

/// A gateway error: code, message and HTTP status, as IMS sends them (docs/ims-api.md §6).
struct APIFault: Error {
    var code: String
    var message: String
    var status: Int

    static func missing(_ name: String) -> APIFault {
        APIFault(
            code: "MissingParameter.\(name)",
            message: "The input parameter \"\(name)\" that is mandatory for processing this request is not supplied.",
            status: 400)
    }

    static func invalid(_ name: String, _ why: String) -> APIFault {
        APIFault(
            code: "InvalidParameter.\(name)", message: "The specified parameter \"\(name)\" is not valid. \(why)",
            status: 400)
    }
}
