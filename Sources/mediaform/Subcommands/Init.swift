import ArgumentParser
import Foundation
import MediaformCore
import MediaformKit

extension CIRecipe: ExpressibleByArgument {}

extension MediaformCommand {
    /// `mediaform init [DIR] [--region R] [--endpoint emulator|regional|URL] [--ci github|gitlab]`.
    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a new project that validates, plans and applies (against the built-in emulator) at once.",
            discussion: """
                Writes DIR/mediaform.yaml (region, endpoint, the manifests glob, commented defaults and limits), \
                DIR/assets/example.yaml with one asset, and a .gitignore for .mediaform/ (added to an existing \
                one). The endpoint is the built-in emulator unless told otherwise, so that a first 'mediaform \
                apply DIR' works without an account. Refuses to overwrite an existing mediaform.yaml; other files \
                that exist are left as they are. On a terminal, without --region, it asks for the region; \
                otherwise it asks nothing.
                """)

        @Argument(help: "The project directory (created if needed).", completion: .directory)
        var directory: String = "."

        @Option(help: "The IMS region (default: cn-shanghai).")
        var region: String?

        @Option(
            help: ArgumentHelp(
                "Where apply sends calls: emulator (the default), regional (ice.<region>.aliyuncs.com), or a URL.",
                valueName: "endpoint"))
        var endpoint = "emulator"

        @Option(
            help: ArgumentHelp(
                "Also write the CI recipe (github or gitlab) at the repository's root, for this project.",
                valueName: "system"))
        var ci: CIRecipe?

        func run() async throws {
            let region = self.region ?? askRegion()
            let target: ProjectTemplate.Endpoint =
                switch endpoint {
                case "emulator": .emulator
                case "regional": .regional
                default: .url(endpoint)
                }
            // A refusal (ProjectInit.Failure) reaches the user as "error: …", exit 1, through MediaformCommand.main.
            let written = try ProjectInit.run(directory: directory, region: region, endpoint: target, ci: ci)
            var out = ""
            let shown = { (path: String) in path.hasPrefix("/") ? path : ProjectLoader.join(directory, path) }
            for file in written {
                switch file {
                case .created(let path): out += "created \(shown(path))\n"
                case .kept(let path): out += "kept    \(shown(path)) (it exists)\n"
                case .extended(let path): out += "added .mediaform/ to \(ProjectLoader.join(directory, path))\n"
                }
            }
            out += "\nNext: mediaform plan \(directory)   then: mediaform apply \(directory) --wait\n"
            Console.out(out)
        }

        /// The region, asked on a terminal; the default without one.
        private func askRegion() -> String {
            let fallback = "cn-shanghai"
            guard isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1 else { return fallback }
            FileHandle.standardError.write(
                Data("IMS region (\(Project.uploadRegions.joined(separator: ", "))) [\(fallback)]: ".utf8))
            let answer = readLine()?.trimmingCharacters(in: .whitespaces) ?? ""
            return answer.isEmpty ? fallback : answer
        }
    }
}
