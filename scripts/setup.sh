#!/usr/bin/env bash
# Installs what libx3mat needs (Debian packages, Python packages), builds the library,
# CLI, Fortran module and examples with CMake into build/, and installs the Python
# binding. Safe to run again: each step is skipped or incremental when done.
#
#   ./scripts/setup.sh            # then: build/bin/x3mat predict ../shared/data/iza/cif/LTA.cif
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
for pkg in libopenblas-dev libsymspg-dev libomp-dev gfortran cmake pkg-config valgrind binutils dpkg-dev lintian; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
    echo "== installing Debian packages: ${need_apt[*]}"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

log=build/setup.log
mkdir -p build
# Runs a step quietly; on failure shows its output and stops.
step() {
    if ! "$@" >"$log" 2>&1; then
        echo "FAILED: $*"; tail -40 "$log"; exit 1
    fi
}

echo "== installing Python packages (numpy, pandas, pytest, ase, pymatgen, safetensors, matplotlib, spglib, scipy, dask, distributed, optuna, scikit-learn)"
step python3 -m pip install --disable-pip-version-check --root-user-action=ignore numpy pandas pytest ase pymatgen safetensors matplotlib spglib scipy dask distributed optuna scikit-learn

echo "== building libx3mat (SwiftPM, driven by CMake) into build/"
step cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
step cmake --build build -j"$(nproc)"

echo "== installing the Python binding (bindings/python) with the library and the shipped models bundled"
cp -L build/lib/libx3mat.so.0 bindings/python/x3mat/libx3mat.so.0
rm -rf bindings/python/x3mat/models && mkdir -p bindings/python/x3mat/models && cp models/*.safetensors bindings/python/x3mat/models/
step python3 -m pip install --disable-pip-version-check --root-user-action=ignore ./bindings/python
echo "== ready: build/bin/x3mat (try: build/bin/x3mat predict ../shared/data/iza/cif/LTA.cif), build/lib/libx3mat.so, include/x3mat.h, python -c 'import x3mat'"
