import Foundation
import Glibc
import NIOConcurrencyHelpers

/// Search for the server: the in-memory `SearchIndex`, brought up to the store's generation
/// before each query (so a publish through any server is searchable at once). Install counts,
/// which rank ties and show in results, are re-read in the background every `installsEvery`.
final class SearchService: @unchecked Sendable {
    let store: any RegistryStore
    private var index = SearchIndex()
    private let lock = ReadWriteLock()
    private let syncer = Syncer()
    /// Answers of the current generation, by query: popular searches repeat.
    private let answers = NIOLockedValueBox(Answers())

    struct Answers {
        static let capacity = 1024
        var generation: Int64 = -1
        var byKey: [String: (total: Int, hits: [SearchHit], facets: [String: [(String, Int)]])] = [:]
        var order: [String] = []
    }

    static let installsEvery: UInt64 = 30_000_000_000
    private let installs = NIOLockedValueBox((at: DispatchTime.now().uptimeNanoseconds, running: false))

    init(store: any RegistryStore) { self.store = store }

    private func refreshInstallsIfDue() {
        let now = DispatchTime.now().uptimeNanoseconds
        let due = installs.withLockedValue { i -> Bool in
            guard !i.running, now - i.at > Self.installsEvery else { return false }
            i.running = true
            return true
        }
        guard due else { return }
        Task {
            if let totals = try? await store.installTotals() {
                lock.writing { index.setInstalls(totals) }
                answers.withLockedValue { $0 = Answers() }
            }
            installs.withLockedValue { $0 = (DispatchTime.now().uptimeNanoseconds, false) }
        }
    }

    private actor Syncer {
        /// One catch-up at a time; the others find the index current when their turn comes.
        func catchUp(_ s: SearchService, to generation: Int64) async throws {
            let (have, rebuild) = s.lock.reading { (s.index.generation, s.index.wantsRebuild) }
            guard have < generation else { return }
            if have < 0 || rebuild {
                let fresh = SearchIndex()
                fresh.apply(try await s.store.searchFeed(after: nil))
                // Swap under the lock; the old index (large at scale) is freed once the lock is released.
                _ = s.lock.writing { () -> SearchIndex in
                    defer { s.index = fresh }
                    return s.index
                }
            } else {
                let feed = try await s.store.searchFeed(after: have)
                s.lock.writing { s.index.apply(feed) }
            }
        }
    }

    func search(_ q: SearchQuery) async throws -> SearchResult {
        let g = try await store.generation()
        if lock.reading({ index.generation }) < g { try await syncer.catchUp(self, to: g) }
        let key = [q.text, q.category ?? "", q.tier ?? "", q.publisher ?? "", q.type ?? "", String(q.page), String(q.perPage)].joined(separator: "\u{0}")
        let (total, hits, facets): (Int, [SearchHit], [String: [(String, Int)]])
        if let cached = answers.withLockedValue({ $0.generation == g ? $0.byKey[key] : nil }) {
            (total, hits, facets) = cached
        } else {
            let (answer, at) = lock.reading { () -> ((Int, [SearchHit], [String: [(String, Int)]]), Int64) in
                let r = index.search(q)
                return ((r.total, r.page.map(index.hit), r.facets), index.generation)
            }
            (total, hits, facets) = answer
            answers.withLockedValue { a in
                if a.generation != at { a = Answers(); a.generation = at }
                if a.byKey.updateValue(answer, forKey: key) == nil { a.order.append(key) }
                if a.order.count > Answers.capacity { a.byKey[a.order.removeFirst()] = nil }
            }
        }
        refreshInstallsIfDue()
        return SearchResult(total: total, hits: hits, facets: facets)
    }

    /// Build the index now (at startup) rather than on the first query.
    func warm() async {
        _ = try? await search(SearchQuery())
    }

    /// The index has been built (from a full read of the store) at least once.
    var isWarm: Bool { lock.reading { index.generation >= 0 } }

    /// Ready to answer, waiting up to `patience` for the first build.
    func ready(within patience: Duration) async -> Bool {
        if isWarm { return true }
        Task { await warm() }
        let deadline = ContinuousClock.now + patience
        while !isWarm, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return isWarm
    }
}

/// Many readers or one writer (pthread_rwlock).
final class ReadWriteLock: @unchecked Sendable {
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>

    init() {
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_rwlock_t())
        // Writers first: a catch-up is not starved by a stream of queries.
        var attr = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attr)
        pthread_rwlockattr_setkind_np(&attr, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        pthread_rwlock_init(lock, &attr)
        pthread_rwlockattr_destroy(&attr)
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    func reading<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }

    func writing<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }
}
