/// The tool's own version.
public enum RARVersion {
    public static let current = "0.1.0"
}
