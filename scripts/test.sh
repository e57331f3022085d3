#!/usr/bin/env bash
# Runs the whole test suite: Swift unit and real-data tests, the C/Fortran/Python examples,
# the C API tests (eight threads on one model among them), library export/linkage checks,
# install + consumer tests, the examples under valgrind (CTest), the Python binding's
# tests (pytest), and a short fuzzing run of every C API fuzz target (X3MAT_FUZZ_SECONDS
# each, default 45). Real-data tests read ../shared/data (or $X3MAT_SHARED_DATA) and skip
# with a message when it is absent.
#
#   ./scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

echo "== Swift tests (release build; buffers the network leaves uninitialized start as NaN)"
X3MAT_POISON_BUFFERS=1 swift test -c release 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]|passed after|started\.?$|^Building|^Compiling|^Write' 

echo "== CTest: examples, C API, exports/linkage, install + consumers"
ctest --test-dir build --output-on-failure

echo "== pytest: Python binding"
# The installed package, run from outside the source tree so it is what gets imported.
(cd /tmp && python3 -m pytest -q "$OLDPWD/bindings/python/tests" -p no:cacheprovider)

echo "== fuzzing: each libFuzzer target for ${X3MAT_FUZZ_SECONDS:-45} s (scripts/fuzz.sh)"
./scripts/fuzz.sh "${X3MAT_FUZZ_SECONDS:-45}"
