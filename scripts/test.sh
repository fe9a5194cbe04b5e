#!/usr/bin/env bash
# Set up and run the whole test suite (lint, then pytest). Fails on any failure and when no
# test ran (pytest exit code 5).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
# Debian's chromium + a CJK font for the report and dashboard tests (idempotent).
bash scripts/install-browser.sh || exit 1
# R and COINr 1.1.14 for the live COINr golden tests (idempotent).
bash scripts/install-r.sh || exit 1
.venv/bin/ruff check src tests benchmarks || exit 1
.venv/bin/python -m pytest "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "error: no tests were collected" >&2
  exit 1
fi
exit "$rc"
