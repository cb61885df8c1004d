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
            let t = Thread { [self] in
                pthread_setspecific(BigStack.marker, UnsafeRawPointer(bitPattern: 1))
                loop()
            }
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

    /// Set on this pool's threads: work already on one runs in place.
    static let marker: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k, nil)
        return k
    }()
    static var onBigStack: Bool { pthread_getspecific(marker) != nil }

    /// Runs `body` on a large-stack thread and waits for it.
    func run<T>(_ body: () throws -> T) throws -> T {
        if BigStack.onBigStack { return try body() }
        var result: Result<T, Error>?
        let worker = checkout()
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let body = body
            nonisolated(unsafe) let out = UnsafeMutablePointer<Result<T, Error>?>.allocate(capacity: 1)
            out.initialize(to: nil)
            worker.submit { out.pointee = Result { try body() } }
            worker.finished.wait()
            result = out.move()
            out.deallocate()
        }
        recycle([worker])
        return try result!.get()
    }

    /// `f` over `items` on one large-stack thread per core (so a `run` inside costs nothing),
    /// results in order.
    func map<T, R>(_ items: [T], _ f: (T) -> R) -> [R] {
        let width = min(items.count, max(1, ProcessInfo.processInfo.activeProcessorCount))
        if width < 2 || BigStack.onBigStack { return items.map(f) }
        let slots = ResultSlots<R>(items.count)
        let next = ManagedCounter()
        let workers = (0..<width).map { _ in checkout() }
        withoutActuallyEscaping(f) { f in
            nonisolated(unsafe) let f = f
            nonisolated(unsafe) let items = items
            for w in workers { w.submit { while let i = next.take(below: items.count) { slots.set(i, f(items[i])) } } }
            // Each worker signals once it has released its job (and with it `f`).
            for w in workers { w.finished.wait() }
        }
        recycle(workers)
        return slots.values
    }

    private func checkout() -> Worker { lock.withLock { idle.popLast() } ?? Worker(stackSize: stackSize) }

    private func recycle(_ workers: [Worker]) {
        for w in workers {
            let keep = lock.withLock { () -> Bool in
                guard idle.count < keepIdle else { return false }
                idle.append(w)
                return true
            }
            if !keep { w.stop() }
        }
    }
}

/// Hands out 0, 1, 2, … to several threads.
final class ManagedCounter: @unchecked Sendable {
    private var n = 0
    private let lock = NSLock()
    func take(below limit: Int) -> Int? {
        lock.withLock {
            guard n < limit else { return nil }
            defer { n += 1 }
            return n
        }
    }
}
