#!/usr/bin/env bash
# Fails when two tracked paths (files or folders) differ only in letter case: such a
# repository cannot be cloned on a case-insensitive file system (macOS, Windows).
#   check_case_collisions.sh REPOSITORY
set -euo pipefail
cd "$1"
collisions=$(git ls-files | awk -F/ '{p=""; for (i=1;i<=NF;i++) {p = p (i>1?"/":"") $i; print p}}' \
             | sort -u | awk '{k=tolower($0); if (k in seen) print seen[k] " <-> " $0; else seen[k]=$0}')
if [ -n "$collisions" ]; then echo "FAIL: paths that differ only in case:"; echo "$collisions"; exit 1; fi
echo "ok: $(git ls-files | wc -l) tracked files, no two paths differ only in case"
