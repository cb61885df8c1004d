-- A valid agent file (the template of bench/gen_agents.py) for publisher PUB and number I.
local template = [[
"""Synthetic agent %d: Synthetic Agent %d."""
from agents.basic_agent import BasicAgent

__manifest__ = {
    "schema": "rapp-agent/1.0",
    "name": "%s/synthetic_%d",
    "version": "1.0.0",
    "display_name": "Synthetic Agent %d",
    "description": "Synthetic agent number %d published during a benchmark.",
    "author": "bench",
    "tags": ["synthetic", "tag%d", "bench"],
    "category": "workflow",
    "quality_tier": "community",
    "requires_env": [],
    "dependencies": [],
}


class Synthetic%d(BasicAgent):
    def __init__(self):
        self.name = "Synthetic%d"
        self.metadata = {"name": self.name, "description": "Agent %d", "parameters": {"type": "object", "properties": {}}}
        super().__init__(name=self.name, metadata=self.metadata)

    def perform(self, **kwargs):
        return "agent %d"
]]

return function(pub, i)
  return string.format(template, i, i, pub, i, i, i, i % 97, i, i, i, i)
end
