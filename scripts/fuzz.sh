#!/usr/bin/env bash
# Coverage-guided fuzzing of libx3mat's C API with libFuzzer and AddressSanitizer.
#
#   ./scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]    # default: 60 s; cif arrays model config
#
# Builds Sources/X3Fuzz (`swift build --sanitize=fuzzer --sanitize=address`, scratch
# $X3MAT_FUZZ_SCRATCH or .build-fuzz), seeds a corpus per target under $X3MAT_FUZZ_OUT or
# build/fuzz/ (CIFs of ../shared/data
# or $X3MAT_SHARED_DATA, ../shared/fuzz-seeds, the shipped models, model configurations,
# and the regression inputs of Tests/fuzz/), and runs each target for the given time.
# Limits: -timeout=1 (a second per input; 3 for 'config', whose valid inputs build whole
# models: an S2 grid of resolution 64 takes about 0.9 s under AddressSanitizer),
# -rss_limit_mb=2048, inputs up to 64 KB.
# A crash, timeout or out-of-memory report fails the run; the input is kept in
# build/fuzz/artifacts/ — add it to Tests/fuzz/TARGET/ as a regression test.
# Prints the executions and run time of each target and a closing 'N passed, N failed'.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}; shift || true
targets=("$@"); [ ${#targets[@]} -eq 0 ] && targets=(cif arrays model config)
data=${X3MAT_SHARED_DATA:-../shared/data}
seeds=${X3MAT_FUZZ_SEEDS:-../shared/fuzz-seeds}
out=${X3MAT_FUZZ_OUT:-build/fuzz}
scratch=${X3MAT_FUZZ_SCRATCH:-.build-fuzz}
mkdir -p "$out/artifacts"

echo "== building the fuzzer (SwiftPM, --sanitize=fuzzer,address, scratch $scratch)"
# swiftc keeps only the last -sanitize= flag it is given, and SwiftPM passes each
# --sanitize as a flag of its own: `--sanitize=fuzzer --sanitize=address` alone compiles
# the Swift code with AddressSanitizer but without coverage, a fuzzer that sees only the C
# code's edges (about 60 instead of about 55,000), finds nothing and still passes. The
# combined -Xswiftc flag comes last and gives the Swift code both; SwiftPM's own flags
# still link both runtimes. Both are checked before fuzzing.
X3MAT_FUZZ=1 swift build -c release --scratch-path "$scratch" --sanitize=fuzzer --sanitize=address \
    -Xswiftc -sanitize=fuzzer,address --product x3mat-fuzz >"$out/build.log" 2>&1 \
    || { tail -30 "$out/build.log"; exit 1; }
fuzzer=$scratch/release/x3mat-fuzz
printf 'data_x\n' >"$out/probe.cif"
counters=$(X3MAT_FUZZ_TARGET=cif "$fuzzer" -runs=0 "$out/probe.cif" 2>&1 \
    | grep -oE '\(([0-9]+) inline 8-bit counters' | grep -oE '[0-9]+' | head -1 || true)
if [ "${counters:-0}" -lt 10000 ]; then
    echo "FAILED: the fuzzer has ${counters:-no} coverage counters; the library was not instrumented"; exit 1
fi
if [ "$(nm "$scratch/release/X3Core.build/CIFReader.swift.o" | grep -c __asan_report || true)" -eq 0 ]; then
    echo "FAILED: the library was compiled without AddressSanitizer"; exit 1
fi
echo "   instrumented: $counters coverage counters, AddressSanitizer"

# Seed corpora (copied once; libFuzzer adds what it finds to the same folder).
seed() {  # seed TARGET FILE...
    local dir="$out/corpus-$1"; shift
    mkdir -p "$dir"
    for f in "$@"; do [ -f "$f" ] && cp -n "$f" "$dir/" 2>/dev/null || true; done
}
# The regression inputs (Tests/fuzz/TARGET/) and the fuzz seeds go in every time, so each
# run starts by replaying them.
seed cif "$seeds"/*.cif Tests/fuzz/cif/*
seed arrays Tests/fuzz/arrays/*
seed model Tests/fuzz/model/*
seed config Tests/fuzz/config/*
if [ ! -f "$out/corpus-cif/LTA.cif" ]; then
    seed cif $(ls "$data"/iza/cif/*.cif 2>/dev/null | head -60) \
        $(ls "$data"/qmof/cif/*.cif 2>/dev/null | head -30) \
        $(ls "$data"/coremof/cif/*.cif 2>/dev/null | head -30) \
        $(ls "$data"/hmof_toy/*/*.cif "$data"/hmof_toy/*.cif 2>/dev/null | head -10)
fi
python3 scripts/fuzz_seeds.py "$out"

passed=0; failed=0
for t in "${targets[@]}"; do
    log="$out/$t.log"
    echo "== fuzzing '$t' for ${seconds} s"
    set +e
    X3MAT_FUZZ_TARGET=$t ASAN_OPTIONS=detect_leaks=0 "$fuzzer" "$out/corpus-$t" \
        -max_total_time="$seconds" -timeout="$([ "$t" = config ] && echo 3 || echo 1)" -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="$out/artifacts/$t-" -print_final_stats=1 >"$log" 2>&1
    rc=$?
    set -e
    runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo 0)
    secs=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$log" | grep -oE 'in [0-9]+' | grep -oE '[0-9]+' || echo "$seconds")
    if [ $rc -eq 0 ] && ! grep -qE '^==[0-9]+==ERROR|SUMMARY: (libFuzzer|AddressSanitizer)' "$log"; then
        echo "   $t: $runs executions in ${secs} s, corpus $(ls "$out/corpus-$t" | wc -l) inputs: no crash, timeout or OOM"
        passed=$((passed + 1))
    else
        echo "   $t: FAILED after $runs executions (exit $rc); see $log"
        grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -5
        failed=$((failed + 1))
    fi
done
echo "fuzz: $passed passed, $failed failed"
[ $failed -eq 0 ]
