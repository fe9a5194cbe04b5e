#!/usr/bin/env bash
# Create .venv (Python >= 3.11) and install aigap into it; quiet and idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install -q -e ".[${AIGAP_EXTRAS:-test}]" 2>&1 | grep -v -i "^WARNING" || true
.venv/bin/python -c "import aigap" # fail loudly if the install did not work
