#!/usr/bin/env bash
# The Python wheel as users get it: built by scripts/build_wheel.sh (libx3mat, the shipped
# models and the libraries auditwheel bundles inside; its tag checked with auditwheel
# show), installed into a fresh venv, and used from outside the source tree with no
# project path set (X3MAT_LIBRARY, PYTHONPATH, X3MAT_MODEL_PATH unset) and the system's
# OpenBLAS hidden (bind-mounted over with /dev/null in a private mount namespace, so
# libx3mat must take the OpenBLAS of the scipy-openblas32 wheel):
# x3mat.Model.load("iza-ar-uptake").predict("LTA.cif") must print the CLI's number.
# Needs root (or sudo) for the mount namespace.
#   check_wheel.sh SOURCE_DIR SHARED_DATA
set -euo pipefail
src=$(cd "$1" && pwd) data=$(cd "$2" && pwd)
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$src/scripts/build_wheel.sh" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
wheel=$(ls "$src"/build/wheelhouse/x3mat-*.whl)
tag=$(auditwheel show "$wheel" 2>&1 | tr '\n' ' ' | grep -oE 'platform tag: "[a-z0-9_]+"' | head -1)
case "$wheel" in
    *-py3-none-manylinux_*_x86_64.whl) echo "ok: $(basename "$wheel"), auditwheel: $tag" ;;
    *) echo "FAIL: $(basename "$wheel") is not a py3-none manylinux wheel"; exit 1 ;;
esac
contents=$(python3 -m zipfile -l "$wheel")
for f in x3mat/libx3mat.so.0 x3mat/models/iza-ar-uptake.safetensors x3mat/models/qmof-band-gap.safetensors \
         x3mat/models/coremof-co2-ch4.safetensors; do
    echo "$contents" | grep -q " *$f " || { echo "FAIL: $f is not in the wheel"; exit 1; }
done
echo "ok: the wheel carries libx3mat.so.0, the shipped models and $(echo "$contents" | grep -c 'x3mat.libs/') bundled libraries"

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check "$wheel" >"$work/pip.log" 2>&1 || { cat "$work/pip.log"; exit 1; }
echo "ok: installed into a fresh venv"

# every file the system's libopenblas.so* names resolve to, hidden in the namespace below
hide=$(ldconfig -p | awk '/libopenblas\.so/ {print $NF}' | xargs -r readlink -f | sort -u | tr '\n' ' ')
[ -n "$hide" ] || echo "note: no system OpenBLAS to hide"
cat >"$work/use.py" <<'PY'
import os, sys
import x3mat
assert "X3MAT_LIBRARY" not in os.environ and "X3MAT_MODEL_PATH" not in os.environ
assert x3mat.__file__.startswith(sys.prefix), x3mat.__file__
model = x3mat.Model.load("iza-ar-uptake")
assert x3mat.find_model("iza-ar-uptake").startswith(sys.prefix)
print("blas:", x3mat.blas_info().replace("\n", "; "))
print("ar_uptake_mol_kg = %.2f" % model.predict(sys.argv[1])["ar_uptake_mol_kg"])
PY
cif=$data/iza/cif/LTA.cif
out=$(cd "$work" && $SUDO unshare --mount --propagation private bash -c '
        for f in '"$hide"'; do mount --bind /dev/null "$f"; done
        python3 -c "import ctypes; ctypes.CDLL(\"libopenblas.so.0\")" 2>/dev/null && { echo "system OpenBLAS still visible"; exit 1; }
        exec env -i PATH=/usr/bin:/bin HOME="'"$work"'" "'"$work"'/venv/bin/python" "'"$work"'/use.py" "'"$cif"'"') || {
    echo "FAIL: the wheel does not work without the system OpenBLAS:"; echo "$out"; exit 1; }
echo "$out" | sed 's/^/  /'
echo "$out" | grep -q "scipy_openblas" || { echo "FAIL: the scipy-openblas32 OpenBLAS was not the one loaded"; exit 1; }
if grep -qw avx2 /proc/cpuinfo; then
    echo "$out" | grep -q "chosen by libx3mat" || { echo "FAIL: libx3mat's kernel choice was not kept"; exit 1; }
fi
expected=$("$src/build/bin/x3mat" predict "$cif" --top 0 | grep -oE "ar_uptake_mol_kg = [0-9.]+")
echo "$out" | grep -qxF "$expected" || { echo "FAIL: the wheel gives '$(echo "$out" | tail -1)', the CLI '$expected'"; exit 1; }
echo "ok: the wheel, without the system OpenBLAS, predicts LTA as the CLI does ($expected)"
