"""Word Count — counts words, lines and characters in a piece of text.

A small, dependency-free agent that shows the RAPP contract: a manifest the registry
reads statically, a BasicAgent subclass, and perform(**kwargs) returning a string.
"""

__manifest__ = {
    "schema": "rapp-agent/1.0",
    "name": "@rar-samples/word_count",
    "version": "1.0.0",
    "display_name": "Word Count",
    "description": "Counts words, lines and characters in text and reports the most frequent words.",
    "author": "RAR samples",
    "tags": ["text", "analysis", "sample"],
    "category": "productivity",
    "quality_tier": "community",
    "requires_env": [],
    "dependencies": ["@rapp/basic_agent"],
}

import json
from collections import Counter

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


class WordCountAgent(BasicAgent):
    def __init__(self):
        self.name = "WordCount"
        self.metadata = {
            "name": self.name,
            "description": __manifest__["description"],
            "parameters": {
                "type": "object",
                "properties": {
                    "text": {"type": "string", "description": "The text to measure."},
                    "top": {"type": "integer", "description": "How many frequent words to list (default 5)."},
                },
                "required": [],
            },
        }
        super().__init__(name=self.name, metadata=self.metadata)

    def perform(self, **kwargs) -> str:
        text = kwargs.get("text") or ""
        top = int(kwargs.get("top") or 5)
        words = [w.strip(".,;:!?\"'()[]").lower() for w in text.split()]
        words = [w for w in words if w]
        report = {
            "words": len(words),
            "lines": text.count("\n") + 1 if text else 0,
            "characters": len(text),
            "most_common": Counter(words).most_common(top),
        }
        return json.dumps(report)


if __name__ == "__main__":
    print(WordCountAgent().perform(text="the quick brown fox jumps over the lazy dog"))
