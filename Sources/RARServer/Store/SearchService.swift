import Foundation
import Glibc

/// Search for the server: the in-memory `SearchIndex`, brought up to the store's generation
/// before each query (so a publish through any server is searchable at once), with install
/// counts read fresh for the page it returns.
final class SearchService: @unchecked Sendable {
    let store: any RegistryStore
    private var index = SearchIndex()
    private let lock = ReadWriteLock()
    private let syncer = Syncer()

    init(store: any RegistryStore) { self.store = store }

    private actor Syncer {
        /// One catch-up at a time; the others find the index current when their turn comes.
        func catchUp(_ s: SearchService, to generation: Int64) async throws {
            let (have, rebuild) = s.lock.reading { (s.index.generation, s.index.wantsRebuild) }
            guard have < generation else { return }
            if have < 0 || rebuild {
                let fresh = SearchIndex()
                fresh.apply(try await s.store.searchFeed(after: nil))
                s.lock.writing { s.index = fresh }
            } else {
                let feed = try await s.store.searchFeed(after: have)
                s.lock.writing { s.index.apply(feed) }
            }
        }
    }

    func search(_ q: SearchQuery) async throws -> SearchResult {
        let g = try await store.generation()
        if lock.reading({ index.generation }) < g { try await syncer.catchUp(self, to: g) }
        var (total, hits, facets) = lock.reading { () -> (Int, [SearchHit], [String: [(String, Int)]]) in
            let r = index.search(q)
            return (r.total, r.page.map(index.hit), r.facets)
        }
        if !hits.isEmpty {
            let counts = try await store.installCounts(hits.map(\.name))
            for i in hits.indices { hits[i].installs = counts[hits[i].name] ?? hits[i].installs }
        }
        return SearchResult(total: total, hits: hits, facets: facets)
    }

    /// Build the index now (at startup) rather than on the first query.
    func warm() async {
        _ = try? await search(SearchQuery())
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
