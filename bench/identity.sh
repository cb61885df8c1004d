#!/usr/bin/env bash
# Identity throughput: seeds forged, cards resolved and incantations round-tripped per second,
# ours (Swift, release build) vs the Python reference (rapp_sdk.py).
#
#   RAR_REFERENCE=<RAR checkout, or a bare git dir of kody-w/RAR> bench/identity.sh [COUNT]
#
# Both sides run the same synthetic agents (IdentityBenchmark.inputs) and print checksums of
# their results; the script says whether they match. Without RAR_REFERENCE only our side runs.
# RAR_IDENTITY_BENCH may name another command that prints our JSON line (e.g. a CLI hook);
# by default the rar-identity-bench product of this package is built and run.
set -euo pipefail

COUNT="${1:-50000}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

if [ -n "${RAR_IDENTITY_BENCH:-}" ]; then
    swift_json="$($RAR_IDENTITY_BENCH --count "$COUNT")"
else
    if ! swift build -c release --package-path "$ROOT" --product rar-identity-bench >&2; then
        echo "cannot build product rar-identity-bench: declare it in Package.swift" \
             "(executableTarget path bench/rar-identity-bench) or set RAR_IDENTITY_BENCH." >&2
        exit 2
    fi
    bin="$(swift build -c release --package-path "$ROOT" --show-bin-path)/rar-identity-bench"
    swift_json="$("$bin" --count "$COUNT")"
fi

py_json=""
if [ -z "${RAR_REFERENCE:-}" ]; then
    echo "RAR_REFERENCE is unset: skipping the Python reference (point it at a kody-w/RAR checkout)." >&2
elif ! command -v python3 >/dev/null; then
    echo "python3 not found: skipping the Python reference." >&2
else
    ref_dir="$RAR_REFERENCE"
    tmp=""
    if [ ! -f "$ref_dir/rapp_sdk.py" ]; then
        # Accept a bare git directory: extract just rapp_sdk.py from HEAD.
        tmp="$(mktemp -d)"
        trap 'rm -rf "$tmp"' EXIT
        if git --git-dir="$RAR_REFERENCE" archive HEAD rapp_sdk.py 2>/dev/null | tar -x -C "$tmp"; then
            ref_dir="$tmp"
        else
            echo "RAR_REFERENCE has no rapp_sdk.py and is not a RAR git dir: skipping the reference." >&2
            ref_dir=""
        fi
    fi
    if [ -n "$ref_dir" ]; then
        py_json="$(PYTHONDONTWRITEBYTECODE=1 python3 - "$ref_dir" "$COUNT" <<'PY'
import json, sys, time
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[1])
import rapp_sdk as R
R.fetch_registry = lambda: {"agents": []}  # never touch the network (full_seed=True never asks)
n = int(sys.argv[2])
cats = list(R.CATEGORY_TYPE) + list(R.EXTENDED_CATEGORY_TYPE) + ["mystery"]
tiers = ["experimental", "community", "verified", "official", "frontier", "private"]
pool = ["ai", "data", "chat", "security", "inventory", "patient", "sales", "email", "html", "forecast", "misc", "ops"]
inputs = [("@bench/agent_%d" % i, cats[i % len(cats)], tiers[i % len(tiers)],
           [pool[(i * 7 + j) % len(pool)] for j in range(i % 6)], ["d"] * (i % 4)) for i in range(n)]
t0 = time.perf_counter()
seeds = [R.forge_seed(*x) for x in inputs]
t1 = time.perf_counter()
rsum = 0
for s in seeds:
    c = R.resolve_card_from_seed(s, full_seed=True)
    rsum += sum(c["stats"].values()) + sum(a["damage"] for a in c["abilities"])
t2 = time.perf_counter()
ix = 0
for s in seeds:
    ix ^= R.words_to_seed(R.seed_to_words(s))
t3 = time.perf_counter()
fx = 0
for s in seeds:
    fx ^= s
rate = lambda d: round(n / d) if d > 0 else 0
print(json.dumps({"impl": "python", "count": n, "forge_per_s": rate(t1 - t0), "resolve_per_s": rate(t2 - t1),
                  "incantation_roundtrip_per_s": rate(t3 - t2), "forge_checksum": str(fx),
                  "resolve_checksum": rsum, "incantation_checksum": str(ix)}))
PY
)"
    fi
fi

if ! command -v python3 >/dev/null; then
    echo "$swift_json"
    exit 0
fi
python3 - "$swift_json" "$py_json" <<'PY'
import json, sys
s = json.loads(sys.argv[1])
p = json.loads(sys.argv[2]) if sys.argv[2] else None
rows = [("seeds forged / s", "forge_per_s"), ("cards resolved / s", "resolve_per_s"),
        ("incantations round-tripped / s", "incantation_roundtrip_per_s")]
print("identity bench, %d agents" % s["count"])
print("%-32s %14s %14s %10s" % ("", "swift", "python", "speed-up"))
for label, k in rows:
    if p:
        print("%-32s %14s %14s %9.1fx" % (label, "{:,}".format(s[k]), "{:,}".format(p[k]), s[k] / max(1, p[k])))
    else:
        print("%-32s %14s %14s %10s" % (label, "{:,}".format(s[k]), "-", "-"))
if p:
    same = all(s[k] == p[k] for k in ("forge_checksum", "resolve_checksum", "incantation_checksum"))
    print("checksums: " + ("match" if same else "DIFFER (swift %s / python %s)" % (
        [s[k] for k in ("forge_checksum", "resolve_checksum", "incantation_checksum")],
        [p[k] for k in ("forge_checksum", "resolve_checksum", "incantation_checksum")])))
    sys.exit(0 if same else 1)
PY
