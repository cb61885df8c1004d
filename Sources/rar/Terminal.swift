import Foundation

/// Terminal output helpers: stderr, colour only on a TTY (and never with NO_COLOR).
enum Terminal {
    static let colorEnabled: Bool = {
        if ProcessInfo.processInfo.environment["NO_COLOR"] != nil { return false }
        return isatty(STDOUT_FILENO) != 0
    }()
    static let stderrColor: Bool = {
        if ProcessInfo.processInfo.environment["NO_COLOR"] != nil { return false }
        return isatty(STDERR_FILENO) != 0
    }()

    static func error(_ message: String) {
        FileHandle.standardError.write(Data(((stderrColor ? "\u{1B}[31merror\u{1B}[0m: " : "error: ") + message + "\n").utf8))
    }

    static func note(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
