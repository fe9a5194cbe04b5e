#!/usr/bin/env bash
# Set up and run the whole test suite (lint, then pytest). Fails on any failure and when no
# test ran (pytest exit code 5).
set -uo pipefail
cd "$(dirname "$0")/.."
echo "test: setting up .venv"
bash scripts/setup.sh || exit 1
echo "test: browser and fonts for the report and dashboard tests"
# Debian's chromium + a CJK font for the report and dashboard tests (idempotent).
bash scripts/install-browser.sh || exit 1
# R and COINr 1.1.14 for the live COINr golden tests (idempotent).
echo "test: R and COINr for the live COINr tests"
bash scripts/install-r.sh || exit 1
echo "test: ruff"
.venv/bin/ruff check src tests benchmarks || exit 1
echo "test: pytest $*"
.venv/bin/python -m pytest "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "error: no tests were collected" >&2
  exit 1
fi
exit "$rc"
