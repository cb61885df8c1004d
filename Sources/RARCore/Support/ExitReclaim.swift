/// A command that is about to exit can leave its large structures for the OS to reclaim
/// instead of freeing them node by node (compilers do the same). Off unless a command turns it
/// on: a server or a test frees as usual.
public enum ExitReclaim {
    /// Set once, before any work starts.
    nonisolated(unsafe) public static var enabled = false

    /// When enabled, keeps `value` (and all it references) alive until the process ends.
    public static func hold<T>(_ value: T) {
        guard enabled else { return }
        _ = Unmanaged.passRetained(Held(value))
    }

    private final class Held<T> {
        let value: T
        init(_ value: T) { self.value = value }
    }
}
