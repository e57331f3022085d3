#!/usr/bin/env bash
# Checks the built libx3mat.so: its global exports are exactly the functions of x3mat.h
# (both ways), it has the SONAME libx3mat.so.0, it needs no Swift runtime library, and
# it loads and runs with no Swift toolchain on the library path.
#   check_library.sh LIB HEADER EXAMPLE_BINARY SHARED_DATA
set -euo pipefail
lib=$1 header=$2 example=$3 data=$4
fail=0

declared=$(grep -oE '^X3_API [^(]*\b(x3_[a-z0-9_]+)\(' "$header" | grep -oE 'x3_[a-z0-9_]+\($' | tr -d '(' | sort -u)
# nm marks global symbols with upper-case types; Swift metadata the linker keeps as
# LOCAL (lower case) cannot be bound by anyone and is ignored.
exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[A-Z]$/ {print $3}' | sort -u)
if [ "$declared" != "$exported" ]; then
    echo "FAIL: exports differ from the header"
    diff <(echo "$declared") <(echo "$exported") | sed 's/^/  /' || true
    fail=1
else
    echo "ok: $(echo "$declared" | wc -l) functions declared in x3mat.h = global exports of $(basename "$lib")"
fi

if readelf -d "$lib" | grep -q 'SONAME.*\[libx3mat\.so\.0\]'; then echo "ok: SONAME libx3mat.so.0"
else echo "FAIL: SONAME is not libx3mat.so.0"; readelf -d "$lib" | grep SONAME; fail=1; fi

if ldd "$lib" | grep -qi swift; then echo "FAIL: depends on Swift runtime libraries:"; ldd "$lib" | grep -i swift; fail=1
else echo "ok: ldd shows no libswift* ($(ldd "$lib" | awk '{print $1}' | tr '\n' ' '))"; fi

if readelf -d "$lib" | grep -q 'NEEDED.*openblas'; then echo "FAIL: links OpenBLAS directly (must be loaded after setting OPENBLAS_CORETYPE)"; fail=1
else echo "ok: OpenBLAS is not a link-time dependency (loaded at run time)"; fi

# Run the C example with a library path that cannot reach the Swift toolchain.
if env -i PATH=/usr/bin:/bin LD_LIBRARY_PATH="$(dirname "$lib")" "$example" "$data/iza/cif/LTA.cif" >/dev/null; then
    echo "ok: runs with a clean environment (no Swift toolchain on any path)"
else echo "FAIL: the example does not run in a clean environment"; fail=1; fi

exit $fail
