#!/usr/bin/env bash
# Static validation throughput: `rar validate` over the RAR corpus vs the reference, side by side.
#
#   RAR_CORPUS=<dir holding rar/ (a kody-w/RAR checkout)> bench/validate.sh [RUNS]
#
# Reference side, both measured in the same run:
#   (a) `python3 rapp_sdk.py validate FILE` once per file (what an author runs);
#   (b) one python3 process that runs build_registry's extract_manifest + validate_manifest +
#       validate_runtime_contract over every file (the reference build's parse, without I/O).
# Prints a table with the ratio of each to `rar validate DIR` (release build).
set -euo pipefail

RUNS="${1:-3}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
: "${RAR_CORPUS:?set RAR_CORPUS to a directory holding rar/ (a kody-w/RAR checkout)}"
REF="$RAR_CORPUS/rar"
[ -f "$REF/rapp_sdk.py" ] || { echo "bench: $REF/rapp_sdk.py not found" >&2; exit 2; }

if [[ -z "${RAR_BIN:-}" ]]; then
  echo "building rar (release)…" >&2
  (cd "$ROOT" && swift build -c release --product rar >/dev/null)
  RAR_BIN="$(cd "$ROOT" && swift build -c release --show-bin-path)/rar"
fi

mapfile -t FILES < <(find "$REF/agents" -type f \( -name '*.py' -o -name '*.py.card' -o -name '*.py.stub' \) | sort)
echo "corpus: ${#FILES[@]} agent files" >&2

now() { date +%s.%N; }
best() { sort -g | head -1; }   # best of RUNS

time_cmd() {  # time_cmd RUNS cmd... → best wall seconds
  local runs=$1; shift
  for _ in $(seq "$runs"); do
    local t0; t0=$(now); "$@" >/dev/null 2>&1 || true; local t1; t1=$(now)
    echo "$t1 - $t0" | bc -l
  done | best
}

ours=$(time_cmd "$RUNS" "$RAR_BIN" validate "$REF/agents")

per_file() { for f in "${FILES[@]}"; do python3 "$REF/rapp_sdk.py" validate "$f"; done; }
sdk=$(time_cmd 1 per_file)

build_parse() {
  (cd "$REF" && python3 - "${FILES[@]}" <<'PY'
import sys
from pathlib import Path
sys.path.insert(0, ".")
import build_registry as br
for p in sys.argv[1:]:
    m = br.extract_manifest(Path(p))
    if isinstance(m, dict):
        br.validate_manifest(Path(p), m)
        br.scan_security(Path(p))
        if not p.endswith(".stub"):
            br.validate_runtime_contract(Path(p), m)
PY
  )
}
parse=$(time_cmd "$RUNS" build_parse)

printf '\n%-58s %10s %10s\n' "task (${#FILES[@]} files)" "seconds" "ratio"
printf '%-58s %10.3f %10s\n' "rar validate DIR (release)" "$ours" "1.0x"
printf '%-58s %10.3f %9.1fx\n' "python3 rapp_sdk.py validate FILE, per file" "$sdk" "$(echo "$sdk / $ours" | bc -l)"
printf '%-58s %10.3f %9.1fx\n' "reference build parse + checks, one process" "$parse" "$(echo "$parse / $ours" | bc -l)"
