#!/usr/bin/env bash
# Whole-database screening: every CIF of ../shared/data (7,298 structures) with each
# shipped model, `x3mat screen` against an earlier build's one-structure-at-a-time
# `x3mat predict DIR`, in one resumable run. Results go to WORKDIR (kept between runs):
#
#   rss.tsv     one `x3mat screen` process over all structures (model qmof-band-gap);
#               its peak RSS (VmHWM) once 1,000 rows are written, and at the end.
#   chunks.tsv  the structures, shuffled (seed 0), in chunks of CHUNK; for each chunk
#               and model, both sides, one after the other (the first side alternates
#               with the chunk), with wall time, CPU time (user + system), peak RSS,
#               structures, windows evaluated and the largest relative difference of
#               their predictions. On a machine that does other work meanwhile, CPU
#               time is the comparable figure; wall time is what was observed.
#               `predict DIR` keeps every structure of a folder in memory, so it gets
#               one folder (of symbolic links) per chunk.
#
# A chunk is recorded when both of its sides have run; rerunning the script continues
# with the next one, so the work can span sessions. While the file WORKDIR/PAUSE exists,
# no new side starts (to free the CPUs for another measurement). `benchmarks/screen_database.py
# WORKDIR` summarises. OPENBLAS_CORETYPE is unset, as in the other benchmarks.
#
#   benchmarks/screen_database.sh BEFORE_CLI WORKDIR [CHUNK 250] [THREADS 2]
#     BEFORE_CLI: an x3mat-cli built from an earlier commit (see benchmarks/screen.sh).
#     The first start copies it, .build/release/x3mat-cli and models/ into WORKDIR, and
#     those copies are measured (later starts ignore BEFORE_CLI).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$2 chunk=${3:-250} threads=${4:-2}
models="iza-ar-uptake qmof-band-gap coremof-co2-ch4"
cpus=$(seq -s, 0 $((threads - 1)))
mkdir -p "$work"
work=$(realpath "$work")
# the measured build and models are copied at the first start, so that rebuilding the
# working tree while the run spans sessions changes neither side
if [ ! -x "$work/after-cli" ]; then
    [ -x .build/release/x3mat-cli ] || swift build -c release --product x3mat-cli >/dev/null
    mkdir -p "$work/models" && cp models/*.safetensors "$work/models/"
    cp "$1" "$work/before-cli"
    cp .build/release/x3mat-cli "$work/after-cli.tmp" && mv "$work/after-cli.tmp" "$work/after-cli"
fi
before=$work/before-cli after=$work/after-cli
run() { env -u OPENBLAS_CORETYPE X3MAT_MODEL_PATH="$work/models" X3MAT_NUM_THREADS="$threads" taskset -c "$cpus" "$@"; }

# the inputs: every CIF, absolute paths, shuffled reproducibly, cut into chunk lists
if [ ! -f "$work/all.txt" ]; then
    find "$(realpath ../shared/data)" -name '*.cif' | sort \
        | python3 -c 'import random, sys; p = sys.stdin.read().split(); random.Random(0).shuffle(p); print("\n".join(p))' \
        >"$work/all.txt.tmp"
    mv "$work/all.txt.tmp" "$work/all.txt"
fi
total=$(wc -l <"$work/all.txt")
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs; $(date -u +%F); $threads threads; $total structures; chunks of $chunk"

# 1. memory against the number of structures, in one screen process
if [ ! -s "$work/rss.tsv" ]; then
    rm -f "$work"/rss.csv "$work"/rss.failures.csv
    # env and taskset exec, so $! is the screen process itself
    env -u OPENBLAS_CORETYPE X3MAT_MODEL_PATH="$work/models" X3MAT_NUM_THREADS="$threads" taskset -c "$cpus" \
        "$after" screen "$work/all.txt" -m qmof-band-gap -o "$work/rss.csv" >"$work/rss.log" 2>&1 &
    pid=$!
    at1000="" last=""
    while kill -0 "$pid" 2>/dev/null; do
        hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
        rows=$(( $( { wc -l <"$work/rss.csv"; } 2>/dev/null || echo 1) - 1 ))
        [ -n "$hwm" ] && last=$hwm
        if [ -z "$at1000" ] && [ "$rows" -ge 1000 ] && [ -n "$hwm" ]; then at1000=$hwm; fi
        sleep 2
    done
    wait "$pid"
    rows=$(( $(wc -l <"$work/rss.csv") - 1 ))
    [ -n "$at1000" ] && [ -n "$last" ] || { echo "the screen's peak RSS was not sampled"; exit 1; }
    printf 'structures\tpeak_rss_kib\n1000\t%s\n%s\t%s\n' "$at1000" "$rows" "$last" >"$work/rss.tsv"
    tail -1 "$work/rss.log"
fi
cat "$work/rss.tsv"

# 2. both sides, chunk by chunk
[ -f "$work/chunks.tsv" ] || printf 'chunk\tmodel\tside\tstructures\twindows_evaluated\twall_s\tcpu_s\tpeak_rss_kib\tmax_rel_diff\n' >"$work/chunks.tsv"
side() {  # NAME COMMAND...: a timed run; sets wall, cpu and rss
    while [ -e "$work/PAUSE" ]; do sleep 5; done
    run /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$@" >"$work/side.log" 2>&1 || { echo "$1 failed:"; tail -5 "$work/side.log"; return 1; }
    read -r wall rss user sys <"$work/time"
    cpu=$(python3 -c "print(round($user + $sys, 2))")
}
chunks=$(( (total + chunk - 1) / chunk ))
for c in $(seq 0 $((chunks - 1))); do
    list="$work/chunk$c.txt"
    sed -n "$((c * chunk + 1)),$(((c + 1) * chunk))p" "$work/all.txt" >"$list"
    for m in $models; do
        grep -q "^$c	$m	" "$work/chunks.tsv" && continue
        rm -rf "$work/dir" && mkdir "$work/dir" && xargs -a "$list" ln -s -t "$work/dir"
        rm -f "$work"/new.csv "$work"/new.failures.csv "$work"/old.csv
        order="old new"; [ $((c % 2)) -eq 1 ] && order="new old"
        for s in $order; do
            if [ "$s" = old ]; then
                side "$before" predict "$work/dir" -m "$m" --top 0 -o "$work/old.csv"; old_wall=$wall old_cpu=$cpu old_rss=$rss
            else
                side "$after" screen "$list" -m "$m" -o "$work/new.csv"; new_wall=$wall new_cpu=$cpu new_rss=$rss
            fi
        done
        read -r n w diff < <(python3 - "$work/old.csv" "$work/new.csv" <<'PY'
import csv, sys
old = {r["id"]: r for r in csv.DictReader(open(sys.argv[1]))}
new = list(csv.DictReader(open(sys.argv[2])))
cols = [c for c in new[0] if c not in ("id", "path", "windows", "evaluated")]
worst = max(abs(float(old[r["id"]][c]) - float(r[c])) / max(1.0, abs(float(r[c]))) for r in new for c in cols if r["id"] in old)
print(len(new), sum(int(r["evaluated"]) for r in new), f"{worst:.1e}")
PY
)
        printf '%s\t%s\told\t%s\t%s\t%s\t%s\t%s\t%s\n%s\t%s\tnew\t%s\t%s\t%s\t%s\t%s\t%s\n' \
            "$c" "$m" "$n" "$w" "$old_wall" "$old_cpu" "$old_rss" "$diff" "$c" "$m" "$n" "$w" "$new_wall" "$new_cpu" "$new_rss" "$diff" \
            >>"$work/chunks.tsv"
        echo "chunk $((c + 1))/$chunks $m: predict DIR $old_wall s, CPU $old_cpu s ($((old_rss / 1024)) MiB); screen $new_wall s, CPU $new_cpu s ($((new_rss / 1024)) MiB), $n structures, difference $diff"
    done
done
rm -rf "$work/dir"
python3 benchmarks/screen_database.py "$work"
