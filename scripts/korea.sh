#!/usr/bin/env bash
# The main job: set up, load the data mirror, and diagnose Korea against the USA, China and
# the OECD. Prints the headline numbers and writes the bilingual HTML report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
A=.venv/bin/aigap
step() { echo; echo "== $* =="; }
step "loading the data mirror into the warehouse"
$A data pull
step "private AI investment: Korea, the USA and China"
$A data show private_ai_investment --countries KOR USA CHN --from 2019
step "the gap in levels, 2019-2023"
$A gap KOR --vs USA CHN --indicator private_ai_investment --basis level --years 2019-2023
step "Korea among OECD members: AI talent migration"
$A peer-rank KOR --indicator ai_talent_net_migration --group OECD --lang ko
step "the aigap index: top 10"
$A rank --spec aigap --top 10 --level pillar
step "claims in the press, checked"
$A check-claims --lang ko
step "writing the reports (a few minutes; each section is shown as it runs)"
$A report KOR --lang ko -o korea-report-ko.html
$A report KOR --lang en -o korea-report-en.html
echo "Open korea-report-ko.html (한국어) or korea-report-en.html in a browser."
