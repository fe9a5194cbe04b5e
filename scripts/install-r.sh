#!/usr/bin/env bash
# Install R and COINr 1.1.14 for the live COINr golden tests (tests/index/test_coinr_live.py).
# Idempotent: does nothing when Rscript and COINr 1.1.14 are already there; otherwise prints
# what it installs. R and COINr's R dependencies come from Debian (apt-get); COINr itself from
# the vendored source tarball (MIT) with `R CMD INSTALL`, so no CRAN access is needed.
set -euo pipefail

TARBALL="${COINR_TARBALL:-/work/shared/vendor/COINr-1.1.14.tar.gz}"
WANT="1.1.14"

have_coinr() {
    command -v Rscript >/dev/null 2>&1 &&
        [ "$(Rscript -e "cat(tryCatch(as.character(packageVersion('COINr')), error=function(e) ''))" 2>/dev/null)" = "${WANT}" ]
}

if have_coinr; then
    echo "install-r: R and COINr ${WANT} already present"
    exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# COINr Imports: openxlsx, rlang, ggplot2, readxl (stats, utils ship with R).
apt_pkgs=(r-base-core r-cran-rlang r-cran-ggplot2 r-cran-openxlsx r-cran-readxl)
missing=()
for p in "${apt_pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "install-r: apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    ${SUDO} apt-get update
    ${SUDO} apt-get install -y --no-install-recommends "${missing[@]}"
fi

if [ ! -f "${TARBALL}" ]; then
    echo "install-r: COINr tarball not found at ${TARBALL} (set COINR_TARBALL)" >&2
    exit 1
fi
echo "install-r: R CMD INSTALL ${TARBALL}"
${SUDO} R CMD INSTALL --no-docs --no-html --no-multiarch "${TARBALL}"
have_coinr || { echo "install-r: COINr ${WANT} still not loadable" >&2; exit 1; }
echo "install-r: COINr ${WANT} installed"
