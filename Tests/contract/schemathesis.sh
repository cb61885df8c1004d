#!/usr/bin/env bash
# Contract test: fuzz a `rar serve` with schemathesis against schemas/openapi.yaml, with every
# check (status codes, content types, response schemas and headers, positive and negative
# data, auth enforcement, unsupported methods, stateful links). Exits non-zero on any failure.
#
#   Tests/contract/schemathesis.sh                      start a throwaway server, fuzz it, stop it
#   Tests/contract/schemathesis.sh URL ADMIN_TOKEN      fuzz a server that is already running
#   ... [URL ADMIN_TOKEN] --exclude-checks unsupported_method   extra arguments go to `st run`
#
# Environment (all optional):
#   RAR_URL, RAR_ADMIN_TOKEN   instead of the two arguments
#   RAR_BIN          the `rar` executable for a throwaway server
#                    (default: .build/release/rar, else .build/debug/rar)
#   RAR_DB           the throwaway server's database (default: SQLite in its root; postgres://… works)
#   RAR_SPEC         the OpenAPI document: a path, or "served" for URL/openapi.yaml
#                    (default: schemas/openapi.yaml of this checkout)
#   ST_MAX_EXAMPLES  test cases per operation and phase (default 20)
#   ST_MAX_TIME      time budget in seconds of the main pass (default 180)
#   ST_REVOKE_TIME   time budget of the token-revocation pass (default 45)
#   ST_WORKERS       concurrent workers (default 1: CPython 3.11 ast.parse is not thread-safe,
#                    and hypothesis calls it while describing strategies)
#   ST_PHASES        e.g. "examples,coverage,fuzzing,stateful" (default: all phases)
#   ST_SEED          hypothesis seed, for a reproducible run
#   ST_REPORT_DIR    keep a JUnit report and a failure-reproducing cassette here
#
# The run publishes, yanks, deletes, deprecates and creates users, teams, namespaces and tokens
# with an admin token: point it only at a disposable server.
# A throwaway server gets a fresh root (seeded from registry/agents) with rate limits raised
# in ROOT/rar-server.json, so fuzzing is not throttled. A server you pass in keeps its own
# limits: expect 429s unless its configuration raises them the same way.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

url="${RAR_URL:-}"
token="${RAR_ADMIN_TOKEN:-}"
if [[ $# -ge 1 && "$1" != -* ]]; then url="$1"; shift; fi
if [[ $# -ge 1 && "$1" != -* ]]; then token="$1"; shift; fi
max_examples="${ST_MAX_EXAMPLES:-20}"
max_time="${ST_MAX_TIME:-180}"
revoke_time="${ST_REVOKE_TIME:-45}"
workers="${ST_WORKERS:-1}"

work="$(mktemp -d "${TMPDIR:-/tmp}/rar-contract.XXXXXX")"
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# schemathesis 4, run as `python3 -m schemathesis.cli` (the `st` command), installed when missing.
py="${PYTHON:-python3}"
if ! "$py" -c 'import sys, schemathesis; sys.exit(0 if schemathesis.__version__.startswith("4.") else 1)' 2>/dev/null; then
    echo "installing schemathesis from PyPI" >&2
    "$py" -m pip install --quiet --upgrade 'schemathesis>=4,<5' >&2
fi
ST=("$py" -m schemathesis.cli)

# A throwaway server unless one was named.
if [[ -z "$url" ]]; then
    bin="${RAR_BIN:-}"
    if [[ -z "$bin" ]]; then
        for c in "$repo/.build/release/rar" "$repo/.build/debug/rar"; do
            [[ -x "$c" ]] && { bin="$c"; break; }
        done
    fi
    [[ -n "$bin" && -x "$bin" ]] || { echo "no rar executable: build one (swift build -c release) or set RAR_BIN, or pass URL TOKEN" >&2; exit 2; }
    token="rar_$("$py" -c 'import secrets; print("".join(secrets.choice("abcdefghijklmnopqrstuvwxyz234567") for _ in range(32)))')"
    mkdir -p "$work/root"
    cp -R "$repo/registry/agents" "$work/root/agents"
    cat >"$work/root/rar-server.json" <<'JSON'
{"rate_limits": {"publish": 100000, "yank": 100000, "admin": 100000, "token": 100000, "read": 1000000}}
JSON
    RAR_ADMIN_TOKEN="$token" "$bin" serve --root "$work/root" --host 127.0.0.1 --port 0 --json \
        >"$work/server.out" 2>"$work/server.log" &
    server_pid=$!
    for _ in $(seq 1 100); do
        url="$(sed -n 's/^{"url":"\([^"]*\)".*/\1/p' "$work/server.out" | head -n 1)"
        [[ -n "$url" ]] && break
        kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; echo "the server did not start" >&2; exit 2; }
        sleep 0.1
    done
    [[ -n "$url" ]] || { cat "$work/server.log" >&2; echo "the server did not report its URL" >&2; exit 2; }
    echo "throwaway server at $url (root $work/root)" >&2
fi
url="${url%/}"
[[ -n "$token" ]] || { echo "usage: $0 [URL ADMIN_TOKEN]  (or RAR_URL and RAR_ADMIN_TOKEN)" >&2; exit 2; }
curl -fsS "$url/healthz" >/dev/null || { echo "no server answers at $url" >&2; exit 2; }

spec="${RAR_SPEC:-$repo/schemas/openapi.yaml}"
[[ "$spec" == served ]] && spec="$url/openapi.yaml"

# Per-operation expectations that JSON Schema cannot state. positive_data_acceptance expects
# a 2xx (or 401/403/404/409/429) for every request that fits the schema; these operations
# also refuse some such requests by meaning, not by form:
#   - an agent file that is a string but not a valid agent (422);
#   - `resolve` with neither query parameter (400), or words that are not an incantation (422);
#   - a compact string of the right alphabet that does not decode (422), or one naming several
#     agents for a one-agent `rapplication` egg (400);
#   - the source of a version deleted earlier in the run (410).
cat >"$work/schemathesis.toml" <<'TOML'
[auth.openapi.bearer]
bearer = "${RAR_CONTRACT_TOKEN}"

[[operations]]
include-operation-id = ["publish", "publishVersion"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]

[[operations]]
include-operation-id = ["getVersionSource", "getLatestSource"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "404", "410", "429"]

[[operations]]
include-operation-id = "resolve"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "404", "422", "429"]

[[operations]]
include-operation-id = "expandCompact"
checks.positive_data_acceptance.expected-statuses = ["2xx", "422", "429"]

[[operations]]
include-operation-id = "downloadEgg"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "404", "422", "429"]
TOML

args=(
    --url "$url"
    --checks all
    --max-examples "$max_examples"
    --workers "$workers"
    --request-timeout 30
    --max-response-time 15
    --continue-on-failure
    --suppress-health-check all
)
[[ -n "${ST_PHASES:-}" ]] && args+=(--phases "$ST_PHASES")
[[ -n "${ST_SEED:-}" ]] && args+=(--seed "$ST_SEED")
if [[ -n "${ST_REPORT_DIR:-}" ]]; then
    mkdir -p "$ST_REPORT_DIR"
    args+=(--report junit,vcr --report-dir "$(cd "$ST_REPORT_DIR" && pwd)")
fi
[[ "$spec" == http* ]] || spec="$(cd "$(dirname "$spec")" && pwd)/$(basename "$spec")"
# Schemathesis keeps a cache in ./.schemathesis: run it inside the scratch directory.
cd "$work"

echo "schemathesis $("${ST[@]}" --version | sed 's/.*version //') against $url with $spec" >&2
status=0

# Pass 1: every operation but revokeToken. Schemathesis reuses identifiers it saw in earlier
# responses (whoami, the token list, the audit log), so a revokeToken in the same run soon
# revokes the very token it is fuzzing with, and every later request is a 401.
RAR_CONTRACT_TOKEN="$token" "${ST[@]}" --config-file "$work/schemathesis.toml" run "$spec" "${args[@]}" \
    --max-time "$max_time" --exclude-operation-id revokeToken "$@" || { rc=$?; [[ $status -ne 0 ]] || status=$rc; }

# Pass 2: the token operations with a second admin token of their own, made for this pass.
second="$(curl -fsS -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"scopes": ["read", "publish", "yank", "admin"], "label": "contract test: revokeToken", "expires_in_days": 1}' \
    "$url/api/v1/tokens" | "$py" -c 'import json, sys; print(json.load(sys.stdin)["token"])')" \
    || { echo "could not create the token for the revokeToken pass" >&2; exit 1; }
RAR_CONTRACT_TOKEN="$second" "${ST[@]}" --config-file "$work/schemathesis.toml" run "$spec" "${args[@]}" \
    --max-time "$revoke_time" --include-operation-id revokeToken --include-operation-id createToken \
    --include-operation-id listTokens --include-operation-id whoami "$@" || { rc=$?; [[ $status -ne 0 ]] || status=$rc; }

if [[ -n "$server_pid" ]] && ! kill -0 "$server_pid" 2>/dev/null; then
    echo "the server exited during the run:" >&2
    tail -n 50 "$work/server.log" >&2
    status=1
fi
exit "$status"
