/// The rule catalogue: stable ids, short names and one-line summaries.
/// Ids never change meaning; retired rules are not reused.
public enum Rules {
    public struct Rule: Sendable {
        public let id: String
        public let name: String
        public let summary: String
    }

    public static let all: [Rule] = [
        Rule(id: "F1", name: "invalid-utf8", summary: "The file must be valid UTF-8."),
        Rule(id: "F2", name: "byte-order-mark", summary: "The file must not start with a UTF-8 byte-order mark."),
        Rule(id: "F3", name: "nul-byte", summary: "The file must not contain NUL bytes."),
        Rule(id: "F4", name: "syntax-error", summary: "The whole file must be valid Python 3.11."),
        Rule(id: "F5", name: "filename-dashes", summary: "File names are snake_case, without dashes."),
        Rule(id: "F6", name: "filename-suffix", summary: "Agent files end in _agent.py (the brainstem loads only those)."),
        Rule(id: "F7", name: "too-large", summary: "The file exceeds the size limit."),
        Rule(id: "F8", name: "too-deep", summary: "Expressions nest deeper than Python can parse."),
        Rule(id: "M1", name: "manifest-missing", summary: "A module-level __manifest__ = {...} is required."),
        Rule(id: "M2", name: "manifest-annotated", summary: "An annotated __manifest__: T = ... is invisible to the registry."),
        Rule(id: "M3", name: "manifest-nested", summary: "__manifest__ should be assigned at module level."),
        Rule(id: "M4", name: "manifest-reassigned", summary: "__manifest__ is assigned more than once; only the first counts."),
        Rule(id: "M5", name: "manifest-not-literal", summary: "__manifest__ must be a pure literal."),
        Rule(id: "M6", name: "manifest-unhashable", summary: "A list, dict or set cannot be a dict key or set element."),
        Rule(id: "M7", name: "manifest-not-dict", summary: "__manifest__ must be a dict."),
        Rule(id: "M8", name: "manifest-mutated", summary: "__manifest__ is changed after its literal; the registry sees only the literal."),
        Rule(id: "M9", name: "manifest-duplicate-key", summary: "A key repeats in __manifest__; the last value wins."),
        Rule(id: "M10", name: "manifest-not-json", summary: "Manifest keys are strings and values are JSON-representable."),
        Rule(id: "V1", name: "missing-field", summary: "A required manifest field is missing."),
        Rule(id: "V2", name: "name-format", summary: "name must be @publisher/slug."),
        Rule(id: "V3", name: "version-format", summary: "version must be semver MAJOR.MINOR.PATCH."),
        Rule(id: "V4", name: "tags-not-list", summary: "tags must be a list."),
        Rule(id: "V5", name: "category", summary: "category must be a known category."),
        Rule(id: "V6", name: "quality-tier", summary: "quality_tier must be a known tier."),
        Rule(id: "V7", name: "field-type", summary: "Manifest fields have the documented types."),
        Rule(id: "V8", name: "schema-value", summary: "schema should be rapp-agent/1.0."),
        Rule(id: "V9", name: "slug-matches-file", summary: "The slug should match the file name."),
        Rule(id: "V10", name: "slug-charset", summary: "Publisher and slug use letters, digits, _ (and - in the publisher)."),
        Rule(id: "C1", name: "no-agent-class", summary: "A top-level class with a perform() method is required."),
        Rule(id: "C2", name: "not-basic-agent", summary: "The agent class should derive from BasicAgent."),
        Rule(id: "C3", name: "runtime-name-unresolvable", summary: "The runtime name must be statically resolvable."),
        Rule(id: "C4", name: "runtime-name-not-tool-safe", summary: "The runtime name must match ^[A-Za-z0-9_-]+$."),
        Rule(id: "C5", name: "metadata-name-mismatch", summary: "metadata['name'] must equal the runtime name."),
        Rule(id: "C6", name: "metadata-not-literal", summary: "self.metadata should be a dict literal."),
        Rule(id: "C7", name: "metadata-incomplete", summary: "metadata should have name, description and parameters."),
        Rule(id: "C8", name: "parameters-shape", summary: "metadata['parameters'] must be an object schema."),
        Rule(id: "C9", name: "async-perform", summary: "perform() should be synchronous and return a str."),
        Rule(id: "C10", name: "perform-required-arg", summary: "perform() must be callable with no arguments."),
        Rule(id: "C11", name: "perform-no-kwargs", summary: "perform() should accept **kwargs."),
        Rule(id: "C12", name: "init-required-arg", summary: "__init__ must be callable with no arguments."),
        Rule(id: "C13", name: "nested-agent-class", summary: "Agent classes belong at top level."),
        Rule(id: "D1", name: "docstring-missing", summary: "The module should have a docstring."),
        Rule(id: "X1", name: "os-system", summary: "os.system() is forbidden."),
        Rule(id: "X2", name: "suspicious-file-access", summary: "Reading system or secret files is suspicious."),
        Rule(id: "X3", name: "hardcoded-secret", summary: "Secrets must not be hard-coded."),
        Rule(id: "X4", name: "capability", summary: "Dynamic code (exec, eval, __import__, compile) is tagged."),
        Rule(id: "X5", name: "secret-pattern", summary: "A line looks like a hard-coded secret."),
        Rule(id: "S1", name: "stub-impure", summary: "Stubs hold only a docstring, __manifest__ and __source__."),
        Rule(id: "S2", name: "stub-source", summary: "Stubs need a valid __source__ dict."),
        Rule(id: "W1", name: "swarm-invalid", summary: "Swarms need a valid __swarm__ dict."),
        Rule(id: "B1", name: "version-reused", summary: "A published version never changes content; bump the version."),
        Rule(id: "B2", name: "duplicate-name", summary: "Each @publisher/slug is registered once."),
        Rule(id: "B3", name: "seed-collision", summary: "No two agents (or aliases) share a seed."),
    ]

    static let byId: [String: Rule] = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })

    public static func name(_ id: String) -> String { byId[id]?.name ?? id }
    public static func summary(_ id: String) -> String { byId[id]?.summary ?? id }

    /// The 24 categories `rapp_sdk.validate_manifest` accepts, in its order.
    public static let categories = [
        "core", "pipeline", "integrations", "productivity", "devtools", "general", "b2b_sales", "b2c_sales",
        "healthcare", "financial_services", "manufacturing", "energy", "federal_government", "slg_government",
        "human_resources", "it_management", "professional_services", "retail_cpg", "software_digital_products",
        "analysis", "creative", "meta", "platform", "workflow",
    ]
    public static let tiers = ["experimental", "community", "verified", "official", "frontier"]
    public static let requiredFields = ["schema", "name", "version", "display_name", "description", "author", "tags", "category"]
}
