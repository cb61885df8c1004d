-- wrk script: GET the paths listed one per line in $WRK_URLS, round robin (each thread starts
-- at its own offset), and print one RESULT line with requests/s, latency percentiles and errors.
package.path = os.getenv("WRK_DIR") .. "/?.lua;" .. package.path
local common = require("common")
local paths = {}
local n = 0

function setup(thread)
  thread:set("offset", math.random(1, 1000000))
end

function init(args)
  paths = common.paths()
  n = offset or 0
end

function request()
  n = n + 1
  return wrk.format("GET", paths[n % #paths + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.2f rps=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f non2xx3xx=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.status, e.connect, e.read, e.write, e.timeout))
end
