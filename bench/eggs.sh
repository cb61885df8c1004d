#!/usr/bin/env bash
# Pack and hatch a generated ~100 MB organism with `rar egg` vs `zip -0 -r` / `unzip`.
# Usage: bench/eggs.sh [runs]        (env: RAR_BIN to use an existing rar binary, BENCH_MB size)
set -euo pipefail

RUNS="${1:-5}"
MB="${BENCH_MB:-100}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/rar-egg-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

for tool in zip unzip; do
  command -v "$tool" >/dev/null || { echo "bench: '$tool' is required (apt-get install $tool)" >&2; exit 2; }
done

if [[ -z "${RAR_BIN:-}" ]]; then
  echo "building rar (release)…" >&2
  (cd "$ROOT" && swift build -c release --product rar >/dev/null)
  RAR_BIN="$(cd "$ROOT" && swift build -c release --show-bin-path)/rar"
fi

# A synthetic organism: ~MB megabytes over many files of mixed sizes.
SRC="$WORK/organism"
mkdir -p "$SRC/agents" "$SRC/memory" "$SRC/data"
printf '# soul\nA benchmark organism.\n' > "$SRC/soul.md"
TAIL="$(printf 'bench' | sha256sum | cut -c1-64)"
printf '{"rappid":"rappid:@bench/organism:%s","schema":"rapp/1"}\n' "$TAIL" > "$SRC/rappid.json"
for i in $(seq 1 400); do printf 'class Agent%d:\n    def perform(self):\n        return %d\n' "$i" "$i" > "$SRC/agents/a${i}_agent.py"; done
remaining=$((MB * 1024 * 1024))
i=0
while (( remaining > 0 )); do
  size=$(( (i % 7 + 1) * 48 * 1024 ))
  (( size > remaining )) && size=$remaining
  d="$SRC/data/d$((i % 32))"
  mkdir -p "$d"
  head -c "$size" /dev/urandom > "$d/blob$i.bin"
  remaining=$((remaining - size))
  i=$((i + 1))
done
FILES=$(find "$SRC" -type f | wc -l)
BYTES=$(du -sb "$SRC" | cut -f1)

EGG="$WORK/org.egg"
ZIPF="$WORK/org.zip"
PACK_RAR=("$RAR_BIN" egg pack --kind organism "$SRC" -o "$EGG" --force --created-utc 2026-01-01T00:00:00.000Z)
HATCH_RAR=("$RAR_BIN" egg hatch "$EGG" --into "$WORK/out-rar")
"${PACK_RAR[@]}" >/dev/null   # the egg hatch reads; each timed pack starts without it, as zip does
(cd "$SRC" && zip -0 -r -q "$ZIPF" .)

now() { date +%s.%N; }
# Median wall time of RUNS runs; $1 = command to clean up before each run (not timed).
median() {
  local prep="$1"; shift
  local times=()
  for _ in $(seq 1 "$RUNS"); do
    eval "$prep"
    local t0 t1
    t0=$(now); "$@" >/dev/null; t1=$(now)
    times+=("$(echo "$t1 - $t0" | bc -l)")
  done
  printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

if command -v hyperfine >/dev/null; then
  hyperfine -r "$RUNS" -N \
    -n "rar egg pack" --prepare "rm -f $EGG" "${PACK_RAR[*]}" \
    -n "zip -0 -r" --prepare "rm -f $ZIPF" "sh -c 'cd $SRC && zip -0 -r -q $ZIPF .'" \
    --export-json "$WORK/pack.json" >&2
  hyperfine -r "$RUNS" -N \
    -n "rar egg hatch" --prepare "rm -rf $WORK/out-rar" "${HATCH_RAR[*]}" \
    -n "unzip" --prepare "rm -rf $WORK/out-unzip" "unzip -q $ZIPF -d $WORK/out-unzip" \
    --export-json "$WORK/hatch.json" >&2
  med() { python3 -c "import json,sys,statistics;print(statistics.median(json.load(open(sys.argv[1]))['results'][int(sys.argv[2])]['times']))" "$1" "$2"; }
  P_RAR=$(med "$WORK/pack.json" 0); P_ZIP=$(med "$WORK/pack.json" 1)
  H_RAR=$(med "$WORK/hatch.json" 0); H_ZIP=$(med "$WORK/hatch.json" 1)
  HOW="hyperfine, $RUNS runs, median"
else
  P_RAR=$(median "rm -f '$EGG'" "${PACK_RAR[@]}")
  P_ZIP=$(median "rm -f '$ZIPF'" sh -c "cd '$SRC' && zip -0 -r -q '$ZIPF' .")
  H_RAR=$(median "rm -rf '$WORK/out-rar'" "${HATCH_RAR[@]}")
  H_ZIP=$(median "rm -rf '$WORK/out-unzip'" unzip -q "$ZIPF" -d "$WORK/out-unzip")
  HOW="timing loop, $RUNS runs, median"
fi

printf '\norganism: %s files, %s bytes (%s)\n\n' "$FILES" "$BYTES" "$HOW"
printf '%-10s %14s %14s %10s\n' "step" "rar egg (s)" "zip/unzip (s)" "ratio"
printf '%-10s %14.3f %14.3f %9.2fx\n' "pack" "$P_RAR" "$P_ZIP" "$(echo "$P_RAR / $P_ZIP" | bc -l)"
printf '%-10s %14.3f %14.3f %9.2fx\n' "hatch" "$H_RAR" "$H_ZIP" "$(echo "$H_RAR / $H_ZIP" | bc -l)"
printf '\nratio = rar time / zip time (lower is better; rar also hashes, verifies and stages).\n'
printf 'egg %s bytes, zip %s bytes\n' "$(stat -c %s "$EGG")" "$(stat -c %s "$ZIPF")"
