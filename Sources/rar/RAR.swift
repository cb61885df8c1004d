import ArgumentParser
import Foundation
import RARCore

@main
struct RAR: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rar",
        abstract: "RAR: the registry and packaging tool for single-file AI agents.",
        version: RARVersion.current,
        subcommands: [NewCommand.self, ValidateCommand.self, TestCommand.self, ManifestCommand.self, CardCommand.self, EggCommand.self, BuildCommand.self,
                      ServeCommand.self, LoginCommand.self, LogoutCommand.self, WhoamiCommand.self, SubmitCommand.self, InstallCommand.self,
                      SearchCommand.self, InfoCommand.self, YankCommand.self, DeprecateCommand.self, AdminCommand.self]
    )

    /// Usage errors exit 2 (not ArgumentParser's 64), matching every other command's contract.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var async = command as? any AsyncParsableCommand { try await async.run() } else { try command.run() }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
