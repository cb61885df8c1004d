import Foundation

/// Work started on its own thread now and joined later with `wait()`, for a single-threaded
/// step that can overlap a parallel one.
final class BackgroundJob<T>: @unchecked Sendable {
    private var result: Result<T, Error>?
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping () throws -> T) {
        nonisolated(unsafe) let body = body
        let t = Thread { [self] in
            result = Result { try body() }
            done.signal()
        }
        t.stackSize = 8 << 20
        t.start()
    }

    /// Blocks until the job is done; its value or error. Call once.
    func wait() throws -> T {
        done.wait()
        return try result!.get()
    }
}
