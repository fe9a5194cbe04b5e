#!/usr/bin/env bash
# The main job: set up, load the data mirror, and diagnose Korea against the USA, China and
# the OECD. Prints the headline numbers and writes the bilingual HTML report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
A=.venv/bin/aigap
$A data pull
$A data show private_ai_investment --countries KOR USA CHN --from 2019
$A gap KOR --vs USA CHN --indicator private_ai_investment --basis level --years 2019-2023
$A peer-rank KOR --indicator ai_talent_net_migration --group OECD --lang ko
$A rank --spec aigap --top 10 --level pillar
$A check-claims --lang ko
$A report KOR --lang ko -o korea-report-ko.html
$A report KOR --lang en -o korea-report-en.html
echo "Open korea-report-ko.html (한국어) or korea-report-en.html in a browser."
