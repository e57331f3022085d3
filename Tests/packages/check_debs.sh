#!/usr/bin/env bash
# The Debian packages as users get them: builds them with CPack from BUILD_DIR, checks
# them with lintian (no errors), installs them with dpkg, builds and runs a C program
# (pkg-config), a Fortran program (the installed module) and a CMake project
# (find_package) against /usr, runs `x3mat predict` from /usr/bin with the model shipped
# in /usr/share/x3mat/models, then purges the packages and checks that none of their
# files is left. Needs root (or sudo); changes /usr while it runs.
#   check_debs.sh BUILD_DIR SOURCE_DIR SHARED_DATA
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd) data=$3
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
work=$(mktemp -d)
packages=(x3mat libx3mat-dev libx3mat0)
purge() { $SUDO dpkg --purge "${packages[@]}" >/dev/null 2>&1 || true; }
trap 'purge; rm -rf "$work"' EXIT

for p in "${packages[@]}"; do
    if dpkg -s "$p" >/dev/null 2>&1; then echo "FAIL: $p is already installed; remove it first"; exit 1; fi
done

(cd "$build" && rm -f ./*.deb && cpack -G DEB >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; exit 1; }
debs=("$build"/x3mat_*.deb "$build"/libx3mat-dev_*.deb "$build"/libx3mat0_*.deb)
for d in "${debs[@]}"; do
    echo "built $(basename "$d"): $(dpkg-deb -f "$d" Depends)"
done

# lintian: errors fail, warnings are shown
status=0
lintian --tag-display-limit 0 --fail-on error "${debs[@]}" >"$work/lintian.log" 2>&1 || status=$?
grep -v "running with root privileges" "$work/lintian.log" | sed 's/^/  /' || true
[ $status -eq 0 ] || { echo "FAIL: lintian reports errors (status $status)"; exit 1; }
echo "ok: lintian reports no errors"

$SUDO dpkg -i "${debs[@]}" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; exit 1; }
echo "ok: installed with dpkg -i"
files=$(dpkg -L "${packages[@]}" | sort -u)

cif=$data/iza/cif/LTA.cif
# C with pkg-config from /usr (no PKG_CONFIG_PATH), Fortran with the installed module
cc "$src/Tests/consumer/consumer.c" $(env -u PKG_CONFIG_PATH pkg-config --cflags --libs x3mat) -o "$work/consumer_pc"
gfortran "$src/Tests/consumer/consumer.f90" -I/usr/include -lx3matf -lx3mat -o "$work/consumer_f"
# CMake: find_package(x3mat) with no hint finds /usr/lib/cmake/x3mat
env -u CMAKE_PREFIX_PATH cmake -S "$src/Tests/consumer" -B "$work/cmake" >/dev/null
cmake --build "$work/cmake" >/dev/null
for exe in "$work/consumer_pc" "$work/consumer_f" "$work/cmake/consumer_c" "$work/cmake/consumer_f"; do
    lib=$(readlink -f "$(ldd "$exe" | awk '/libx3mat.so/ {print $3}')")
    [ "$lib" = /usr/lib/libx3mat.so.0.1.0 ] || { echo "FAIL: $exe uses '$lib', not /usr/lib/libx3mat.so.0.1.0"; exit 1; }
    out=$(env -i PATH=/usr/bin:/bin "$exe" "$cif")
    [ "$out" = "consumer: O48Si24" ] || { echo "FAIL: $exe printed '$out'"; exit 1; }
done
echo "ok: C (pkg-config), Fortran (module) and CMake (find_package) consumers built against /usr and run"

# The CLI from /usr/bin, away from the source tree, with the model shipped in the package
out=$(cd "$work" && env -i PATH=/usr/bin:/bin HOME="$work" x3mat predict "$cif" --top 0)
echo "$out" | sed 's/^/  /'
echo "$out" | grep -q "^model /usr/share/x3mat/models/iza-ar-uptake.safetensors" || {
    echo "FAIL: /usr/bin/x3mat did not use the packaged model"; exit 1; }
expected=$("$build/bin/x3mat" predict "$cif" --top 0 | grep "ar_uptake_mol_kg =")
echo "$out" | grep -qF "$expected" || { echo "FAIL: /usr/bin/x3mat differs from the build tree's: $expected"; exit 1; }
echo "ok: /usr/bin/x3mat predicts LTA as the build tree does ($expected)"

purge
left=""
for f in $files; do
    case "$f" in /.|/usr|/usr/bin|/usr/lib|/usr/include|/usr/share|/usr/share/doc|/usr/lib/cmake|/usr/lib/pkgconfig) continue ;; esac
    [ -e "$f" ] || [ -L "$f" ] && left+=" $f"
done
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 && left+=" (package $p)"; done
[ -z "$left" ] || { echo "FAIL: left behind after purge:$left"; exit 1; }
echo "ok: purged; none of the packages' $(echo "$files" | wc -l) paths is left"
