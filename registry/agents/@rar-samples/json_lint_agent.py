"""JSON Lint — checks that a JSON document parses and pretty-prints it.

Reports the line and column of the first syntax error, the way an editor would.
"""

__manifest__ = {
    "schema": "rapp-agent/1.0",
    "name": "@rar-samples/json_lint",
    "version": "0.3.0",
    "display_name": "JSON Lint",
    "description": "Validates a JSON document, reports the first syntax error with its position, and pretty-prints valid input.",
    "author": "RAR samples",
    "tags": ["json", "devtools", "lint", "sample"],
    "category": "devtools",
    "quality_tier": "community",
    "requires_env": [],
    "dependencies": ["@rapp/basic_agent"],
}

import json

try:
    from agents.basic_agent import BasicAgent
except ImportError:
    try:
        from basic_agent import BasicAgent
    except ImportError:
        class BasicAgent:
            def __init__(self, name=None, metadata=None):
                self.name = name
                self.metadata = metadata or {}


class JsonLintAgent(BasicAgent):
    def __init__(self):
        self.name = "JsonLint"
        self.metadata = {
            "name": self.name,
            "description": __manifest__["description"],
            "parameters": {
                "type": "object",
                "properties": {
                    "document": {"type": "string", "description": "The JSON text to check."},
                    "indent": {"type": "integer", "description": "Indent for pretty-printing (default 2)."},
                },
                "required": [],
            },
        }
        super().__init__(name=self.name, metadata=self.metadata)

    def perform(self, **kwargs) -> str:
        document = kwargs.get("document", "{}")
        indent = int(kwargs.get("indent") or 2)
        try:
            value = json.loads(document)
        except json.JSONDecodeError as e:
            return f"invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}"
        return json.dumps(value, indent=indent, sort_keys=True)


if __name__ == "__main__":
    print(JsonLintAgent().perform(document='{"b": 1, "a": [1, 2]}'))
