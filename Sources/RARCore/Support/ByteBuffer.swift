/// A growable byte buffer for hot writers (the source highlighter): an append is one
/// capacity check and a copy, without `Array`'s uniqueness checks per call.
/// Noncopyable, so the memory has one owner; `take()` hands the bytes out as an array.
struct ByteBuffer: ~Copyable {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    /// Room for `k` more bytes.
    @inline(__always)
    mutating func reserve(_ k: Int) {
        if count + k > capacity { grow(count + k) }
    }

    @inline(never)
    private mutating func grow(_ need: Int) {
        let next = max(need, capacity * 2)
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: next)
        fresh.update(from: base, count: count)
        base.deallocate()
        base = fresh
        capacity = next
    }

    @inline(__always)
    mutating func append(_ b: UInt8) {
        reserve(1)
        base[count] = b
        count += 1
    }

    @inline(__always)
    mutating func append(_ p: UnsafeBufferPointer<UInt8>) {
        guard let s = p.baseAddress, p.count > 0 else { return }
        reserve(p.count)
        (base + count).update(from: s, count: p.count)
        count += p.count
    }

    @inline(__always)
    mutating func append(_ a: [UInt8]) { a.withUnsafeBufferPointer { append($0) } }

    @inline(__always)
    mutating func append(_ s: StaticString) {
        s.withUTF8Buffer { append($0) }
    }

    /// The bytes end with `tail`.
    func ends(with tail: StaticString) -> Bool {
        let k = tail.utf8CodeUnitCount
        guard count >= k else { return false }
        return tail.withUTF8Buffer { UnsafeBufferPointer(start: base + count - k, count: k).elementsEqual($0) }
    }

    mutating func removeLast(_ k: Int) { count -= min(k, count) }

    /// The bytes written, as an array.
    consuming func take() -> [UInt8] {
        Array(UnsafeBufferPointer(start: base, count: count))
    }

    deinit { base.deallocate() }
}
