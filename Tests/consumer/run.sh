#!/usr/bin/env bash
# Installs the build into a scratch prefix and builds downstream programs against it,
# once with CMake's find_package(x3mat) and once with pkg-config.
#   run.sh BUILD_DIR CONSUMER_SOURCE_DIR SHARED_DATA
set -euo pipefail
build=$1 src=$2 data=$3
prefix=$build/consumer-prefix
rm -rf "$prefix" "$build/consumer-build"
cmake --install "$build" --prefix "$prefix" >/dev/null
cif=$data/iza/cif/LTA.cif

cmake -S "$src" -B "$build/consumer-build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$build/consumer-build" >/dev/null
out_c=$("$build/consumer-build/consumer_c" "$cif")
out_f=$("$build/consumer-build/consumer_f" "$cif")
echo "find_package C:       $out_c"
echo "find_package Fortran: $out_f"

export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
cc "$src/consumer.c" $(pkg-config --cflags --libs x3mat) -o "$build/consumer-build/consumer_pc"
out_pc=$("$build/consumer-build/consumer_pc" "$cif")
echo "pkg-config C:         $out_pc (x3mat $(pkg-config --modversion x3mat))"

for o in "$out_c" "$out_f" "$out_pc"; do
    [ "$o" = "consumer: O48Si24" ] || { echo "FAIL: unexpected output '$o'"; exit 1; }
done
test -x "$prefix/bin/x3mat" && "$prefix/bin/x3mat" --version
test -f "$prefix/include/x3mat.h" && test -f "$prefix/include/x3mat.mod"
test -L "$prefix/lib/libx3mat.so.0" && test -L "$prefix/lib/libx3mat.so"
echo "ok: install tree complete"
