#!/usr/bin/env bash
# The main job: set up, load the data mirror, and diagnose Korea against the USA and China.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
A=.venv/bin/aigap
$A data pull
$A data show private_ai_investment --countries KOR USA CHN --from 2019
