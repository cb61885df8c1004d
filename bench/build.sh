#!/usr/bin/env bash
# `rar build` (release) vs the reference `python3 build_registry.py`, side by side.
#
#   RAR_CORPUS=<dir containing rar/, a kody-w/RAR checkout> bench/build.sh [N]
#
# Rows: the RAR corpus (ours vs reference, each in a scratch copy, alternating ROUNDS times,
# default 3, medians shown), then N synthetic agents (default 100000), each case once: a cold
# build, a no-change rebuild and a one-file-changed rebuild (patched), each with the HTML
# catalog, plus cold builds without cards or catalog to show what they cost. Without
# RAR_CORPUS the reference side is skipped with a message.
#
# Scratch space is under $TMPDIR (default /tmp). File creation on some filesystems slows down
# for minutes after a large delete (ext4 without a journal skips recently freed inodes one by
# one), which can add seconds of system time to a build that follows another bench's cleanup;
# TMPDIR=/dev/shm measures both sides without the disk.
set -euo pipefail

N="${1:-100000}"
ROUNDS="${ROUNDS:-3}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/rar-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

swift build -c release --package-path "$ROOT" --product rar >&2
RAR="$(swift build -c release --package-path "$ROOT" --show-bin-path)/rar"

timeit() {  # timeit VAR cmd...: run, store seconds in VAR and peak RSS (MB, largest process) in VAR_rss
    local var="$1"; shift
    local out
    out="$(python3 -c '
import resource, subprocess, sys, time
t = time.monotonic()
with open(sys.argv[1], "w") as log:
    subprocess.run(sys.argv[2:], stdout=log, stderr=subprocess.STDOUT)
print("%.2f %d" % (time.monotonic() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024))
' "$WORK/last.log" "$@")"
    printf -v "$var" '%s' "${out% *}"
    printf -v "${var}_rss" '%s' "${out#* }"
}
ratio() { python3 -c "a,b=$1,$2; print(f'{a/b:.1f}x' if b > 0 else '-')"; }
median() { python3 -c 'import statistics, sys; print("%.2f" % statistics.median(map(float, sys.argv[1:])))' "$@"; }
max() { if [ "$1" -gt "$2" ]; then echo "$1"; else echo "$2"; fi; }
rows=()

if [ -n "${RAR_CORPUS:-}" ] && [ -d "$RAR_CORPUS/rar" ]; then
    # Scratch copies so neither side touches the checkout (the reference rewrites registry.json).
    cp -r "$RAR_CORPUS/rar" "$WORK/ref" && cp -r "$RAR_CORPUS/rar" "$WORK/ours" && sync
    agents="$(python3 -c "import json; print(len(json.load(open('$WORK/ref/registry.json'))['agents']))")"
    # Both sides alternate, ROUNDS times; the table shows medians, so a drift in the machine's
    # speed during the run moves both. Each cold build gets a new output directory.
    py_all=(); cold_all=(); warm_all=(); nocat_all=(); rss=(0 0 0)
    for r in $(seq "$ROUNDS"); do
        timeit t bash -c "cd '$WORK/ref' && python3 build_registry.py"; py_all+=("$t")
        timeit t bash -c "'$RAR' build '$WORK/ours' --out '$WORK/ours-out$r'"; cold_all+=("$t"); rss[0]=$(max "${rss[0]}" "$t_rss")
        timeit t bash -c "'$RAR' build '$WORK/ours' --out '$WORK/ours-out$r'"; warm_all+=("$t"); rss[1]=$(max "${rss[1]}" "$t_rss")
        timeit t bash -c "'$RAR' build '$WORK/ours' --out '$WORK/ours-nocat$r' --no-catalog"; nocat_all+=("$t"); rss[2]=$(max "${rss[2]}" "$t_rss")
        echo "round $r: reference ${py_all[-1]} s; rar cold ${cold_all[-1]} s, rebuild ${warm_all[-1]} s, --no-catalog ${nocat_all[-1]} s" >&2
    done
    py_s="$(median "${py_all[@]}")"; rar_cold="$(median "${cold_all[@]}")"; rar_warm="$(median "${warm_all[@]}")"; rar_nocat="$(median "${nocat_all[@]}")"
    rows+=("RAR corpus ($agents agents), cold|$rar_cold|$py_s|$(ratio "$py_s" "$rar_cold")|${rss[0]}")
    rows+=("RAR corpus, rebuild (cached)|$rar_warm|$py_s|$(ratio "$py_s" "$rar_warm")|${rss[1]}")
    rows+=("RAR corpus, cold, --no-catalog|$rar_nocat|$py_s|$(ratio "$py_s" "$rar_nocat")|${rss[2]}")
else
    echo "RAR_CORPUS unset (or no rar/ inside): skipping the reference side." >&2
fi

python3 "$ROOT/bench/gen_agents.py" "$N" "$WORK/synth"
# Flush the generator's writes first, so the kernel's writeback of them is not timed as the build.
sync
timeit cold bash -c "'$RAR' build '$WORK/synth' --out '$WORK/synth-out'"
grep -E "agents," "$WORK/last.log" >&2 || cat "$WORK/last.log" >&2
timeit warm bash -c "'$RAR' build '$WORK/synth' --out '$WORK/synth-out'"
f="$WORK/synth/agents/@pub7/synthetic_7_agent.py"
sed -i 's/"version": "1.0.0"/"version": "1.0.9"/' "$f" && echo "# changed" >> "$f"
timeit one bash -c "'$RAR' build '$WORK/synth' --out '$WORK/synth-out'"
grep -E "agents," "$WORK/last.log" >&2 || cat "$WORK/last.log" >&2
timeit nocard bash -c "'$RAR' build '$WORK/synth' --out '$WORK/synth-out2' --no-cards --no-cache"
# Outputs are removed only at exit: some filesystems make file creation slower for a while
# after a large delete, which would charge the next row for this one's cleanup.
timeit nocat bash -c "'$RAR' build '$WORK/synth' --out '$WORK/synth-out3' --no-catalog --no-cache"
rows+=("$N synthetic, cold|$cold|-|-|$cold_rss")
rows+=("$N synthetic, rebuild, no change|$warm|-|-|$warm_rss")
rows+=("$N synthetic, rebuild, 1 file changed|$one|-|-|$one_rss")
rows+=("$N synthetic, cold, --no-cards --no-cache|$nocard|-|-|$nocard_rss")
rows+=("$N synthetic, cold, --no-catalog --no-cache|$nocat|-|-|$nocat_rss")

printf '\n%-44s %10s %12s %8s %14s\n' "case" "rar (s)" "python (s)" "ratio" "rar RSS (MB)"
for r in "${rows[@]}"; do IFS='|' read -r a b c d e <<<"$r"; printf '%-44s %10s %12s %8s %14s\n' "$a" "$b" "$c" "$d" "$e"; done
