#!/usr/bin/env bash
# Runs the C, Fortran and Python examples under valgrind (memcheck): any invalid read or
# write, use of uninitialised memory, or definite leak fails the test.
#
#   Tests/valgrind.sh BUILD_DIR SHARED_DATA
#
# Valgrind 3.19 (Debian 12) cannot read the DWARF 5 the Swift toolchain writes, so the
# examples load a copy of libx3mat with its debug sections stripped (symbols stay, so
# reports name functions). The network runs on a tiny model made here: valgrind slows
# code some 50-fold, and the shipped model's prediction would take minutes. Python runs
# with PYTHONMALLOC=malloc so that its allocations are visible to memcheck; CPython's own
# one-time allocations at exit are "still reachable", never counted.
set -euo pipefail
build=$(cd "$1" && pwd); data=$(cd "$2" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
objcopy --strip-debug "$build/lib/libx3mat.so.0" "$work/libx3mat.so.0"
# The real interpreter (python3 may be a launcher script, which valgrind would check instead).
python=$(python3 -c "import sys; print(sys.executable)")
export LD_LIBRARY_PATH="$work" X3MAT_LIBRARY="$work/libx3mat.so.0" PYTHONPATH="$src/bindings/python"
python3 - "$work/tiny.safetensors" <<'PY'
import sys, x3mat
x3mat.Model.create({"lmax": 2, "mmax": 1, "channels": 4, "attention_channels": 4, "heads": 1,
                    "value_channels_per_head": 4, "ffn_channels": 4, "blocks": 1, "radial_basis": 4,
                    "radial_hidden": 4, "edge_embedding": 2, "readout_hidden": 4}).save(sys.argv[1])
PY
ex="$build/examples"
lta="$data/iza/cif/LTA.cif"; abw="$data/iza/cif/ABW.cif"; mof="$data/coremof/cif/ABAVIJ_clean.cif"
runs=(
    "c structure_info|$ex/example_structure_info_c $mof"
    "c windows_summary|$ex/example_windows_summary_c $lta"
    "c predict|$ex/example_predict_c $work/tiny.safetensors $abw"
    "c explain|$ex/example_explain_c $work/tiny.safetensors $abw $work/explain"
    "fortran structure_info|$ex/example_structure_info_f $mof"
    "fortran windows_summary|$ex/example_windows_summary_f $lta"
    "fortran site_hashes|$ex/example_site_hashes_f $lta"
    "fortran gcmc_predict|$ex/example_gcmc_predict_f $work/tiny.safetensors $abw"
    "python structure_info|$python $src/examples/python/structure_info.py $mof"
    "python windows_summary|$python $src/examples/python/windows_summary.py $abw"
)
# Error blocks of a memcheck log (blank-line separated) that involve libx3mat, or all
# error blocks for a program of ours. CPython and NumPy have known memcheck reports of
# their own (uninitialised reads in int.from_bytes, module-init "leaks"); for the Python
# examples only reports whose stack passes through libx3mat count.
ours() {  # ours LOG python|native
    awk -v mode="$2" 'BEGIN { RS = "==[0-9]+== \n" }
        { hit = 0; m = split($0, line, "\n")
          for (i = 1; i <= m; i++) if (line[i] ~ /^==[0-9]+== / && (mode == "native" || line[i] ~ /libx3mat/)) hit = 1
          if (hit) { n++; if (n <= 3) print } }
        END { exit n > 0 }' "$1"
}
passed=0; failed=0
for r in "${runs[@]}"; do
    name=${r%%|*}; cmd=${r#*|}
    log="$work/$(echo "$name" | tr ' ' _).log"
    mode=native; [[ $name == python* ]] && mode=python
    start=$SECONDS
    set +e
    PYTHONMALLOC=malloc valgrind --leak-check=full --errors-for-leak-kinds=definite \
        --show-leak-kinds=definite -q $cmd >"$log" 2>&1
    rc=$?
    set -e
    if [ $rc -eq 0 ] && ours "$log" "$mode" >/dev/null; then
        echo "valgrind: $name clean ($((SECONDS - start)) s)"; passed=$((passed + 1))
    else
        echo "valgrind: $name FAILED (exit $rc, $((SECONDS - start)) s):"; ours "$log" "$mode" | head -60 || tail -20 "$log"
        failed=$((failed + 1))
    fi
done
echo "valgrind: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
