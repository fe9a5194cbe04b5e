#!/usr/bin/env bash
# Create .venv (Python >= 3.11) and install aigap into it; idempotent. Says what it does at
# each step and lets pip report each package it collects (a first install takes a minute or
# two), so that set-up never sits silent; lines about packages already installed are left out.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
step() { echo "setup: $*"; }
if [ ! -x .venv/bin/python ]; then
  step "creating .venv with $("$PY" --version 2>&1)"
  "$PY" -m venv .venv
fi
step "upgrading pip"
.venv/bin/python -m pip install --progress-bar off --upgrade pip 2>&1 \
  | grep --line-buffered -v -E "^(Requirement already satisfied|WARNING)" || true
step "installing aigap and its dependencies (.[${AIGAP_EXTRAS:-test}]) — pip's output follows"
set +e
.venv/bin/python -m pip install --progress-bar off -e ".[${AIGAP_EXTRAS:-test}]" 2>&1 \
  | grep --line-buffered -v -E "^(Requirement already satisfied|WARNING)"
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" -ne 0 ]; then  # e.g. no registry: an existing install may still do, checked next
  echo "setup: pip install exited $rc; checking the existing install" >&2
fi
.venv/bin/python -c "import aigap" # fail loudly if the install did not work
step "done: aigap installed in .venv"
