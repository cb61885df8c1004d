import Foundation

/// Threads with a large stack, kept for reuse. Deeply nested input must not overflow the
/// parser's stack, but a new thread per file costs an mmap/munmap of that stack each time
/// (page faults and TLB shootdowns that dominated a build of many small files).
final class BigStack: @unchecked Sendable {
    static let shared = BigStack(stackSize: 512 << 20, keepIdle: 64)

    private final class Worker: @unchecked Sendable {
        let cond = NSCondition()
        let finished = DispatchSemaphore(value: 0)
        var job: (() -> Void)?
        var exit = false

        init(stackSize: Int) {
            let t = Thread { [self] in loop() }
            t.stackSize = stackSize
            t.start()
        }

        func loop() {
            while true {
                cond.lock()
                while job == nil && !exit { cond.wait() }
                if exit { cond.unlock(); return }
                do {
                    let j = job!
                    job = nil
                    cond.unlock()
                    j()
                }
                // Signalled once the job (and what it captured) is released.
                finished.signal()
            }
        }

        func submit(_ j: @escaping () -> Void) { cond.lock(); job = j; cond.signal(); cond.unlock() }
        func stop() { cond.lock(); exit = true; cond.signal(); cond.unlock() }
    }

    private let stackSize: Int
    private let keepIdle: Int
    private let lock = NSLock()
    private var idle: [Worker] = []

    init(stackSize: Int, keepIdle: Int) {
        self.stackSize = stackSize
        self.keepIdle = keepIdle
    }

    /// Runs `body` on a large-stack thread and waits for it.
    func run<T>(_ body: () throws -> T) throws -> T {
        var result: Result<T, Error>?
        let worker = lock.withLock { idle.popLast() } ?? Worker(stackSize: stackSize)
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let body = body
            nonisolated(unsafe) let out = UnsafeMutablePointer<Result<T, Error>?>.allocate(capacity: 1)
            out.initialize(to: nil)
            worker.submit { out.pointee = Result { try body() } }
            worker.finished.wait()
            result = out.move()
            out.deallocate()
        }
        let keep = lock.withLock { () -> Bool in
            guard idle.count < keepIdle else { return false }
            idle.append(worker)
            return true
        }
        if !keep { worker.stop() }
        return try result!.get()
    }
}
