"""Release Notes — turns a list of commit subjects into grouped release notes.

Conventional-commit prefixes (feat, fix, docs, perf, refactor, test, chore) decide the
section; anything else lands under "Other".
"""

__manifest__ = {
    "schema": "rapp-agent/1.0",
    "name": "@acme/release_notes",
    "version": "2.0.1",
    "display_name": "Release Notes",
    "description": "Groups commit subjects into Markdown release notes by conventional-commit type.",
    "author": "Acme Platform Team",
    "tags": ["git", "release", "markdown", "devtools"],
    "category": "devtools",
    "quality_tier": "official",
    "requires_env": [],
    "dependencies": ["@rapp/basic_agent"],
}

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

_SECTIONS = [("feat", "Features"), ("fix", "Fixes"), ("perf", "Performance"), ("docs", "Documentation"),
             ("refactor", "Refactoring"), ("test", "Tests"), ("chore", "Chores")]


class ReleaseNotesAgent(BasicAgent):
    def __init__(self):
        self.name = "ReleaseNotes"
        self.metadata = {
            "name": self.name,
            "description": __manifest__["description"],
            "parameters": {
                "type": "object",
                "properties": {
                    "commits": {"type": "array", "items": {"type": "string"}, "description": "Commit subjects, newest first."},
                    "version": {"type": "string", "description": "The version being released."},
                },
                "required": [],
            },
        }
        super().__init__(name=self.name, metadata=self.metadata)

    def perform(self, **kwargs) -> str:
        commits = kwargs.get("commits") or ["feat: first release"]
        version = kwargs.get("version") or "unreleased"
        groups = {title: [] for _, title in _SECTIONS}
        groups["Other"] = []
        for subject in commits:
            prefix, _, rest = subject.partition(":")
            kind = prefix.split("(")[0].strip().lower()
            title = dict(_SECTIONS).get(kind)
            groups[title or "Other"].append((rest if title else subject).strip())
        lines = [f"## {version}"]
        for title, items in groups.items():
            if items:
                lines.append(f"\n### {title}")
                lines.extend(f"- {item}" for item in items)
        return "\n".join(lines)


if __name__ == "__main__":
    print(ReleaseNotesAgent().perform(commits=["feat: eggs", "fix(cli): exit codes", "update readme"], version="1.2.0"))
