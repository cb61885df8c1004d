import Foundation

/// `rar new @publisher/slug`: a new agent that passes `rar validate` and `rar test` as written.
public enum Scaffold {
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    public struct Options: Sendable {
        public var name: String
        public var displayName: String?
        public var description: String?
        public var author: String?
        public var category = "general"
        public var tags: [String] = []

        public init(name: String) { self.name = name }
    }

    /// Parse `@publisher/slug` and check it is something a registry accepts.
    public static func parseName(_ name: String) throws -> (publisher: String, slug: String) {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard name.hasPrefix("@"), parts.count == 2 else {
            throw Invalid(description: "'\(name)' is not @publisher/slug (for example @my-team/weather)")
        }
        let publisher = String(parts[0].dropFirst()), slug = String(parts[1])
        let pubOK = !publisher.isEmpty && publisher.unicodeScalars.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || $0 == "_" || $0 == "-" }
        let slugOK = !slug.isEmpty && slug.unicodeScalars.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "_" }
        guard pubOK else { throw Invalid(description: "publisher '\(publisher)' may use letters, digits, _ and - only") }
        guard slugOK else { throw Invalid(description: "slug '\(slug)' must be snake_case: lower-case letters, digits and _") }
        return (publisher, slug)
    }

    /// The file name for a slug: `<slug>_agent.py` (a slug already ending in `_agent` keeps it).
    public static func fileName(slug: String) -> String {
        slug.hasSuffix("_agent") ? slug + ".py" : slug + "_agent.py"
    }

    /// CamelCase tool name from a slug: `weather_report` → `WeatherReport`.
    static func camel(_ slug: String) -> String {
        let base = slug.hasSuffix("_agent") ? String(slug.dropLast(6)) : slug
        let parts = base.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }
        let joined = parts.joined()
        return joined.first?.isNumber == true ? "Agent" + joined : joined
    }

    static func pyString(_ s: String) -> String {
        // JSON string syntax is valid Python for these plain strings.
        JSONValue.string(s).serialized(.compact)
    }

    public static func render(_ o: Options) throws -> String {
        let (_, slug) = try parseName(o.name)
        guard Rules.categories.contains(o.category) else {
            throw Invalid(description: "unknown category '\(o.category)'; one of: \(Rules.categories.joined(separator: ", "))")
        }
        let tool = camel(slug)
        let display = o.displayName ?? slug.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
        let desc = o.description ?? "\(display): describe in one sentence what this agent does."
        let author = o.author ?? "Your Name"
        let tags = (o.tags.isEmpty ? [slug.replacingOccurrences(of: "_", with: "-")] : o.tags).map(pyString).joined(separator: ", ")
        return """
        \"\"\"\(display) — a RAPP agent.

        \(desc)

        Call it with an optional `query`; it answers with a short string. Replace the body of
        perform() with the real work. Everything the registry needs is in __manifest__ below.
        \"\"\"

        __manifest__ = {
            "schema": "rapp-agent/1.0",
            "name": \(pyString(o.name)),
            "version": "0.1.0",
            "display_name": \(pyString(display)),
            "description": \(pyString(desc)),
            "author": \(pyString(author)),
            "tags": [\(tags)],
            "category": \(pyString(o.category)),
            "quality_tier": "community",
            "requires_env": [],
            "dependencies": ["@rapp/basic_agent"],
        }

        try:
            from agents.basic_agent import BasicAgent
        except ImportError:  # running outside a brainstem
            try:
                from basic_agent import BasicAgent
            except ImportError:
                class BasicAgent:
                    def __init__(self, name=None, metadata=None):
                        self.name = name
                        self.metadata = metadata or {}


        class \(tool)Agent(BasicAgent):
            def __init__(self):
                self.name = \(pyString(tool))
                self.metadata = {
                    "name": self.name,
                    "description": __manifest__["description"],
                    "parameters": {
                        "type": "object",
                        "properties": {
                            "query": {"type": "string", "description": "What to ask the agent."},
                        },
                        "required": [],
                    },
                }
                super().__init__(name=self.name, metadata=self.metadata)

            def perform(self, **kwargs) -> str:
                query = kwargs.get("query") or "hello"
                return f"{self.name} received: {query}"


        if __name__ == "__main__":
            print(\(tool)Agent().perform(query="ping"))

        """
    }
}
