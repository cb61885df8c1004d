#!/usr/bin/env python3
"""Write N synthetic, valid agent files under DIR/agents/@pubK/ (deterministic).

    bench/gen_agents.py N DIR
"""
import os
import sys

CATEGORIES = ["core", "productivity", "devtools", "analysis", "healthcare", "b2b_sales", "workflow", "creative"]
TEMPLATE = '''"""Synthetic agent {i}: {display}."""
from agents.basic_agent import BasicAgent

__manifest__ = {{
    "schema": "rapp-agent/1.0",
    "name": "@pub{p}/synthetic_{i}",
    "version": "1.0.{v}",
    "display_name": "{display}",
    "description": "Synthetic agent number {i} for build benchmarks.",
    "author": "bench",
    "tags": ["synthetic", "tag{t}", "bench"],
    "category": "{cat}",
    "quality_tier": "{tier}",
    "requires_env": [],
    "dependencies": [],
}}


class Synthetic{i}(BasicAgent):
    def __init__(self):
        self.name = "Synthetic{i}"
        self.metadata = {{"name": self.name, "description": "Agent {i}", "parameters": {{"type": "object", "properties": {{}}}}}}
        super().__init__(name=self.name, metadata=self.metadata)

    def perform(self, **kwargs):
        total = 0
        for k in range({i} % 17 + 3):
            total += k * {i}
        return f"agent {i}: {{total}}"
'''


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gen_agents.py N DIR")
    n, root = int(sys.argv[1]), sys.argv[2]
    for i in range(n):
        p = i % 50
        d = os.path.join(root, "agents", f"@pub{p}")
        os.makedirs(d, exist_ok=True)
        text = TEMPLATE.format(i=i, p=p, v=i % 7, display=f"Synthetic Agent {i}", t=i % 97,
                               cat=CATEGORIES[i % len(CATEGORIES)], tier="frontier" if i % 5 == 0 else "community")
        with open(os.path.join(d, f"synthetic_{i}_agent.py"), "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
