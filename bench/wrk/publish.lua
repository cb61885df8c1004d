-- wrk script: every request publishes a new agent (POST /api/v1/publish) as $WRK_TOKEN under
-- $WRK_PUB, numbered from $WRK_BASE so runs never collide; counts answers by status class.
package.path = os.getenv("WRK_DIR") .. "/?.lua;" .. package.path
local common = require("common")
local threads = {}
-- Globals, so setup() can set them per thread and done() can read them back.
id, n, created, other = 0, 0, 0, 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  n = 0
end

function request()
  n = n + 1
  local i = tonumber(os.getenv("WRK_BASE")) + id * 10000000 + n
  return common.publish(i)
end

function response(status, headers, body)
  if status == 201 then created = created + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local c, o = 0, 0
  for _, t in ipairs(threads) do c = c + t:get("created"); o = o + t:get("other") end
  io.write(string.format("RESULT requests=%d seconds=%.2f rps=%.1f created=%d other=%d p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
    summary.requests, summary.duration / 1e6, c / (summary.duration / 1e6), c, o,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
