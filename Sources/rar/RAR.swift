import ArgumentParser
import RARCore

@main
struct RAR: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rar",
        abstract: "RAR: the registry and packaging tool for single-file AI agents.",
        version: RARVersion.current,
        subcommands: [NewCommand.self, ValidateCommand.self, TestCommand.self, ManifestCommand.self]
    )
}
