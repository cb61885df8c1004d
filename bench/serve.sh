#!/usr/bin/env bash
# `rar serve` under load, on loopback, against nginx serving the same `rar build` output.
#
#   bench/serve.sh [static|search|publish|mixed|all]...        (default: all)
#
#   static   N agents: metadata GET (api/v1/agents/@pub/slug.json) and raw-source GET, rar vs
#            nginx, wrk -t2 -c64 for DURATION s. Targets: rar >= 50% of nginx's req/s, p99 < 10 ms.
#   search   SEARCH_N agents (100000) imported with `rar serve --seed` (the load time is
#            reported), then wrk searches with varied terms at SEARCH_CONNS connections. Target p99 < 25 ms.
#   publish  sustained publishes (wrk -c4, PUBLISH_DURATION s) into an empty SQLite database, and
#            into PostgreSQL when RAR_BENCH_POSTGRES=postgres://… names a scratch database.
#   mixed    MIXED_DURATION s (300) at 256 connections over N agents: metadata, raw sources and
#            searches, plus one publish every 2 s per wrk thread. Expects zero 5xx; samples the
#            server's RSS every 5 s (start after warm-up, peak, end).
#
# Environment: N (1000), DURATION (30), SEARCH_N (100000), SEARCH_CONNS (16), SEARCH_DURATION (30),
# PUBLISH_DURATION (20), MIXED_DURATION (300), MIXED_CONNS (256), RAR_BIN (skip the build),
# KEEP=1 (keep the scratch directory). Rate limits are raised in the bench roots' rar-server.json
# (all traffic comes from one address). Needs wrk and nginx (Debian: apt-get install wrk nginx).
# Prints a Markdown table at the end. Every phase is bounded by its duration.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
N="${N:-1000}"
DURATION="${DURATION:-30}"
SEARCH_N="${SEARCH_N:-100000}"
SEARCH_CONNS="${SEARCH_CONNS:-16}"
SEARCH_DURATION="${SEARCH_DURATION:-30}"
PUBLISH_DURATION="${PUBLISH_DURATION:-20}"
MIXED_DURATION="${MIXED_DURATION:-300}"
MIXED_CONNS="${MIXED_CONNS:-256}"
PARTS=("$@")
[ ${#PARTS[@]} -eq 0 ] && PARTS=(static search publish mixed)
[ "${PARTS[0]}" = all ] && PARTS=(static search publish mixed)
TOKEN="rar_$(printf 'b%.0s' {1..32})"

for tool in wrk nginx python3; do
    command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || { echo "bench: $tool is missing (Debian: apt-get install wrk nginx)" >&2; exit 2; }
done
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

if [ -z "${RAR_BIN:-}" ]; then
    echo "building rar (release)…" >&2
    swift build -c release --package-path "$ROOT" --product rar >&2
    RAR_BIN="$(swift build -c release --package-path "$ROOT" --show-bin-path)/rar"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/rar-serve-bench.XXXXXX")"
chmod 755 "$WORK"   # nginx workers may run as another user
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    [ -n "${KEEP:-}" ] && echo "kept $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT

ROWS=()
row() { ROWS+=("| $1 | $2 | $3 | $4 |"); }
field() { sed -n "s/.*[ ]$2=\([^ ]*\).*/\1/p" "$1" | tail -1; }   # field LOG NAME (from the RESULT line)
pct() { python3 -c "import sys
try: print(f'{100*float(sys.argv[1])/float(sys.argv[2]):.0f}%')
except Exception: print('-')" "$1" "$2"; }
now() { date +%s.%N; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo 0; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

# start_rar NAME ROOT [ARGS…]: start `rar serve` and wait for its startup line (seeding counts).
# Sets RAR_URL, RAR_PID, RAR_START_S.
start_rar() {
    local name="$1" root="$2"; shift 2
    local t0; t0="$(now)"
    RAR_ADMIN_TOKEN="$TOKEN" "$RAR_BIN" serve --root "$root" --port 0 --json "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
    RAR_PID=$!
    PIDS+=("$RAR_PID")
    while [ ! -s "$WORK/$name.out" ]; do
        kill -0 "$RAR_PID" 2>/dev/null || { echo "rar serve ($name) failed: $(tail -3 "$WORK/$name.err")" >&2; return 1; }
        sleep 0.2
    done
    RAR_URL="$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["url"])' "$WORK/$name.out")"
    # Ready means the search index is loaded too.
    until curl -sf -o /dev/null "$RAR_URL/readyz"; do
        kill -0 "$RAR_PID" 2>/dev/null || { echo "rar serve ($name) died: $(tail -3 "$WORK/$name.err")" >&2; return 1; }
        sleep 0.2
    done
    RAR_START_S="$(python3 -c "print(f'{$(now) - $t0:.1f}')")"
}
stop_pid() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# bench_root DIR COUNT: COUNT synthetic agents and a config raising the rate limits.
bench_root() {
    mkdir -p "$1"
    if [ "$2" -gt 0 ]; then python3 "$BENCH/gen_agents.py" "$2" "$1"; fi
    echo '{"rate_limits": {"read": 0, "publish": 0, "admin": 0, "yank": 0, "token": 0}}' >"$1/rar-server.json"
}

# run_wrk LOG SCRIPT URL CONNS SECONDS [ENV…]
run_wrk() {
    local log="$1" script="$2" url="$3" conns="$4" secs="$5"; shift 5
    env WRK_DIR="$BENCH/wrk" "$@" wrk -t2 -c"$conns" -d"${secs}s" --timeout 10s --latency -s "$BENCH/wrk/$script" "$url" >"$log" 2>&1 || true
    grep RESULT "$log" >&2 || { cat "$log" >&2; echo "RESULT failed=1" >>"$log"; }
}

# Warm up then measure one URL list: wrk_urls NAME BASE FILE CONNS SECONDS
wrk_urls() {
    run_wrk "$WORK/$1.warm" urls.lua "$2" "$4" 3 WRK_URLS="$3"
    run_wrk "$WORK/$1.log" urls.lua "$2" "$4" "$5" WRK_URLS="$3"
}

echo "machine: $(nproc) cores, load average $(load); rar: $RAR_BIN" >&2

for part in "${PARTS[@]}"; do
case "$part" in
static|mixed)
    if [ ! -d "$WORK/static" ]; then
        bench_root "$WORK/static" "$N"
        "$RAR_BIN" build "$WORK/static" --out "$WORK/site" >/dev/null
        python3 - "$N" "$WORK" <<'EOF'
import random, sys
n, work = int(sys.argv[1]), sys.argv[2]
ids = list(range(n)); random.Random(7).shuffle(ids)
def w(name, lines):
    with open(f"{work}/{name}.urls", "w") as f: f.write("\n".join(lines) + "\n")
w("meta", [f"/api/v1/agents/@pub{i % 50}/synthetic_{i}.json" for i in ids])
w("meta-api", [f"/api/v1/agents/@pub{i % 50}/synthetic_{i}" for i in ids])
w("raw", [f"/agents/@pub{i % 50}/synthetic_{i}_agent.py" for i in ids])
w("raw-api", [f"/api/v1/agents/@pub{i % 50}/synthetic_{i}/versions/1.0.{i % 7}/source" for i in ids])
rnd = random.Random(11)
def q():
    r = rnd.random()
    if r < 0.5: return f"/api/v1/search?q={rnd.randrange(n)}"
    if r < 0.7: return f"/api/v1/search?q=tag{rnd.randrange(97)}"
    if r < 0.85: return f"/api/v1/search?q=synthetic+agent+{rnd.randrange(n)}"
    if r < 0.95: return f"/api/v1/search?category=devtools&q={rnd.randrange(1, 10)}"
    return f"/api/v1/search?q=synthetic&page={rnd.randrange(1, 20)}"
w("search", [q() for _ in range(2000)])
mixed = []
for k, i in enumerate(ids * 2):
    r = k % 20
    if r < 8: mixed.append(f"/api/v1/agents/@pub{i % 50}/synthetic_{i}.json")
    elif r < 10: mixed.append(f"/api/v1/agents/@pub{i % 50}/synthetic_{i}")
    elif r < 15: mixed.append(f"/api/v1/agents/@pub{i % 50}/synthetic_{i}/versions/1.0.{i % 7}/source")
    else: mixed.append(q())
w("mixed", mixed)
EOF
    fi
    ;;
esac

case "$part" in
static)
    echo "== static: $N agents, wrk -c64 ${DURATION}s" >&2
    NGINX_PORT="$(free_port)"
    mkdir -p "$WORK/nginx-tmp"
    cat >"$WORK/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
    types { application/json json; text/x-python py; text/html html; }
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000000;
    client_body_temp_path $WORK/nginx-tmp/body;
    proxy_temp_path $WORK/nginx-tmp/proxy;
    fastcgi_temp_path $WORK/nginx-tmp/fastcgi;
    uwsgi_temp_path $WORK/nginx-tmp/uwsgi;
    scgi_temp_path $WORK/nginx-tmp/scgi;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $WORK/site;
        location / { try_files \$uri =404; }
    }
}
EOF
    "$NGINX" -c "$WORK/nginx.conf" -e "$WORK/nginx-error.log" &
    NGINX_PID=$!
    PIDS+=("$NGINX_PID")
    start_rar static "$WORK/static"
    echo "rar serve: $N agents seeded in ${RAR_START_S}s" >&2
    sleep 1
    curl -sf "http://127.0.0.1:$NGINX_PORT/registry.json" >/dev/null || { echo "nginx is not serving" >&2; exit 1; }
    curl -sf "$RAR_URL/registry.json" >/dev/null   # render the live tree once
    for kind in meta raw; do
        wrk_urls "nginx-$kind" "http://127.0.0.1:$NGINX_PORT" "$WORK/$kind.urls" 64 "$DURATION"
        wrk_urls "rar-$kind" "$RAR_URL" "$WORK/$kind.urls" 64 "$DURATION"
    done
    wrk_urls "rar-meta-api" "$RAR_URL" "$WORK/meta-api.urls" 64 "$DURATION"
    wrk_urls "rar-raw-api" "$RAR_URL" "$WORK/raw-api.urls" 64 "$DURATION"
    stop_pid "$NGINX_PID"
    stop_pid "$RAR_PID"
    for pair in "meta:metadata GET \`api/v1/agents/@pub/slug.json\`:meta" "raw:raw-source GET \`agents/@pub/slug_agent.py\`:raw" \
                "meta-api:metadata GET \`/api/v1/agents/@pub/slug\` (rar's API) vs nginx's slug.json:meta" \
                "raw-api:raw-source GET \`…/versions/V/source\` (rar's API) vs nginx's static file:raw"; do
        IFS=: read -r kind label ref <<<"$pair"
        r="$WORK/rar-$kind.log" x="$WORK/nginx-$ref.log"
        row "$label, req/s ($N agents, wrk -c64, ${DURATION}s)" "$(field "$r" rps)" "$(field "$x" rps)" "$(pct "$(field "$r" rps)" "$(field "$x" rps)") (target ≥ 50%)"
        row "$label, p99 latency" "$(field "$r" p99_ms) ms" "$(field "$x" p99_ms) ms" "target < 10 ms"
    done
    ;;

search)
    echo "== search: $SEARCH_N agents" >&2
    bench_root "$WORK/search" "$SEARCH_N"
    python3 - "$SEARCH_N" "$WORK/search.urls" <<'EOF'
import random, sys
n, out = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(5)
cats = ["core", "productivity", "devtools", "analysis", "healthcare", "b2b_sales", "workflow", "creative"]
def q():
    r = rnd.random()
    if r < 0.45: return f"/api/v1/search?q={rnd.randrange(n)}"
    if r < 0.6: return f"/api/v1/search?q=synthetic+agent+{rnd.randrange(n)}"
    if r < 0.75: return f"/api/v1/search?q=tag{rnd.randrange(97)}"
    if r < 0.85: return f"/api/v1/search?q=tag{rnd.randrange(97)}&category={rnd.choice(cats)}"
    if r < 0.93: return f"/api/v1/search?publisher=@pub{rnd.randrange(50)}&q={rnd.randrange(1, 100)}"
    return f"/api/v1/search?q=synthetic&page={rnd.randrange(1, 50)}"
with open(out, "w") as f: f.write("\n".join(q() for _ in range(5000)) + "\n")
EOF
    start_rar search "$WORK/search"
    echo "rar serve: $SEARCH_N agents imported and indexed (ready) in ${RAR_START_S}s" >&2
    wrk_urls "rar-search" "$RAR_URL" "$WORK/search.urls" "$SEARCH_CONNS" "$SEARCH_DURATION"
    stop_pid "$RAR_PID"
    r="$WORK/rar-search.log"
    row "import $SEARCH_N agents on first start (\`rar serve\` seeding, validated), until /readyz" "${RAR_START_S} s" "-" "-"
    row "search, $SEARCH_N agents, varied terms, p99 (wrk -c$SEARCH_CONNS, ${SEARCH_DURATION}s)" "$(field "$r" p99_ms) ms" "target < 25 ms" "$(field "$r" rps) req/s"
    ;;

publish)
    echo "== publish: wrk -c4 ${PUBLISH_DURATION}s" >&2
    bench_root "$WORK/publish" 0
    start_rar publish "$WORK/publish" --no-seed
    run_wrk "$WORK/rar-publish.log" publish.lua "$RAR_URL" 4 "$PUBLISH_DURATION" WRK_TOKEN="$TOKEN" WRK_PUB=@bench WRK_BASE="$RANDOM"
    stop_pid "$RAR_PID"
    r="$WORK/rar-publish.log"
    row "sustained publish, SQLite (wrk -c4, ${PUBLISH_DURATION}s)" "$(field "$r" rps)/s (p99 $(field "$r" p99_ms) ms)" "-" "$(field "$r" created) created, $(field "$r" other) refused"
    if [ -n "${RAR_BENCH_POSTGRES:-}" ]; then
        bench_root "$WORK/publish-pg" 0
        if start_rar publish-pg "$WORK/publish-pg" --no-seed --db "$RAR_BENCH_POSTGRES"; then
            run_wrk "$WORK/rar-publish-pg.log" publish.lua "$RAR_URL" 4 "$PUBLISH_DURATION" WRK_TOKEN="$TOKEN" WRK_PUB=@benchpg WRK_BASE="$(date +%s)"
            stop_pid "$RAR_PID"
            r="$WORK/rar-publish-pg.log"
            row "sustained publish, PostgreSQL (wrk -c4, ${PUBLISH_DURATION}s)" "$(field "$r" rps)/s (p99 $(field "$r" p99_ms) ms)" "-" "$(field "$r" created) created, $(field "$r" other) refused"
        else
            echo "SKIP PostgreSQL publish: this rar could not open RAR_BENCH_POSTGRES" >&2
        fi
    else
        echo "SKIP PostgreSQL publish: set RAR_BENCH_POSTGRES=postgres://… (a scratch database) to run it" >&2
    fi
    ;;

mixed)
    echo "== mixed: $N agents, wrk -c$MIXED_CONNS ${MIXED_DURATION}s" >&2
    start_rar mixed "$WORK/static"
    run_wrk "$WORK/mixed.warm" urls.lua "$RAR_URL" "$MIXED_CONNS" 5 WRK_URLS="$WORK/mixed.urls"
    : >"$WORK/rss"
    ( while kill -0 "$RAR_PID" 2>/dev/null; do echo "$(rss_mb "$RAR_PID")" >>"$WORK/rss"; sleep 5; done ) &
    SAMPLER=$!
    PIDS+=("$SAMPLER")
    run_wrk "$WORK/rar-mixed.log" mixed.lua "$RAR_URL" "$MIXED_CONNS" "$MIXED_DURATION" \
        WRK_URLS="$WORK/mixed.urls" WRK_TOKEN="$TOKEN" WRK_PUB=@mixed WRK_BASE="$RANDOM" WRK_PUBLISH_EVERY=2
    echo "$(rss_mb "$RAR_PID")" >>"$WORK/rss"
    stop_pid "$SAMPLER"
    stop_pid "$RAR_PID"
    r="$WORK/rar-mixed.log"
    read -r rss_start rss_peak rss_end < <(awk 'NR==1{s=$1} {if ($1>p) p=$1; e=$1} END {print s, p, e}' "$WORK/rss")
    row "mixed load, $N agents, wrk -c$MIXED_CONNS ${MIXED_DURATION}s: req/s, p99" "$(field "$r" rps) req/s, p99 $(field "$r" p99_ms) ms" "zero 5xx" \
        "$(field "$r" s5xx) 5xx, $(field "$r" s4xx) 4xx, $(field "$r" published) publishes, $(( $(field "$r" connect) + $(field "$r" read) + $(field "$r" write) + $(field "$r" timeout) )) socket errors"
    row "mixed load: server RSS start / peak / end" "$rss_start / $rss_peak / $rss_end MB" "flat" "-"
    ;;
*) echo "unknown part '$part' (static, search, publish, mixed, all)" >&2; exit 2 ;;
esac
done

echo
echo "load average after: $(load)"
echo
echo "| benchmark | rar | nginx / target | ratio / note |"
echo "|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
