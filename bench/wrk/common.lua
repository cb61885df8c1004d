-- What the wrk scripts share: a valid agent file (the template of bench/gen_agents.py), its
-- publish request, and the URL list.
local M = {}

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

-- Agent number I under publisher PUB.
function M.file(pub, i)
  return string.format(template, i, i, pub, i, i, i, i % 97, i, i, i, i)
end

-- POST /api/v1/publish of agent number I under $WRK_PUB, as $WRK_TOKEN.
function M.publish(i)
  return wrk.format("POST", "/api/v1/publish",
    {["Authorization"] = "Bearer " .. os.getenv("WRK_TOKEN"), ["Content-Type"] = "text/x-python"},
    M.file(os.getenv("WRK_PUB"), i))
end

-- The non-empty lines of $WRK_URLS.
function M.paths()
  local paths = {}
  for line in io.lines(os.getenv("WRK_URLS")) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  return paths
end

return M
