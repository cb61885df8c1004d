import Foundation

/// Phase timings on stderr when RAR_TRACE is set (`rar build` and the benchmarks use it).
public enum BuildTrace {
    nonisolated(unsafe) static var last = enabled ? Date() : Date.distantPast
    static let enabled = ProcessInfo.processInfo.environment["RAR_TRACE"] != nil

    public static func start() { if enabled { last = Date() } }

    /// Time since the previous mark, labelled.
    public static func mark(_ label: @autoclosure () -> String) {
        guard enabled else { return }
        let now = Date()
        FileHandle.standardError.write(Data(String(format: "trace %7.3f s  %@\n", now.timeIntervalSince(last), label()).utf8))
        last = now
    }
}
