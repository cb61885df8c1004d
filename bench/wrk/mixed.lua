-- wrk script: mixed traffic. GETs rotate over $WRK_URLS (metadata, raw sources, searches, mixed
-- by the file's lines); every $WRK_PUBLISH_EVERY seconds each thread publishes a new agent.
-- Prints one RESULT line with requests/s, latency and answers by status class.
package.path = os.getenv("WRK_DIR") .. "/?.lua;" .. package.path
local common = require("common")
local threads = {}
local paths = {}
-- Globals, so setup() can set them per thread and done() can read them back.
id, n, published, last = 0, 0, 0, 0
s2, s3, s4, s5, created = 0, 0, 0, 0, 0

function setup(thread)
  thread:set("id", #threads)
  thread:set("offset", math.random(1, 1000000))
  table.insert(threads, thread)
end

function init(args)
  paths = common.paths()
  n = offset or 0
  last = os.time()
end

function request()
  local every = tonumber(os.getenv("WRK_PUBLISH_EVERY"))
  if every > 0 and os.time() - last >= every then
    last = os.time()
    published = published + 1
    local i = tonumber(os.getenv("WRK_BASE")) + id * 10000000 + published
    return common.publish(i)
  end
  n = n + 1
  return wrk.format("GET", paths[n % #paths + 1])
end

function response(status, headers, body)
  if status >= 500 then s5 = s5 + 1
  elseif status >= 400 then s4 = s4 + 1
  elseif status >= 300 then s3 = s3 + 1
  else
    s2 = s2 + 1
    if status == 201 then created = created + 1 end
  end
end

function done(summary, latency, requests)
  local t2, t3, t4, t5, c = 0, 0, 0, 0, 0
  for _, t in ipairs(threads) do
    t2 = t2 + t:get("s2"); t3 = t3 + t:get("s3"); t4 = t4 + t:get("s4"); t5 = t5 + t:get("s5"); c = c + t:get("created")
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.2f rps=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f s2xx=%d s3xx=%d s4xx=%d s5xx=%d published=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    t2, t3, t4, t5, c, e.connect, e.read, e.write, e.timeout))
end
