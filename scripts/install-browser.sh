#!/usr/bin/env bash
# Install what the browser tests need: Debian's chromium, a CJK font (Hangul) and Playwright.
# Idempotent: each piece is installed only when it is missing. Playwright's own browser
# download is never used (no network but the registries); tests drive /usr/bin/chromium.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_PY="${ROOT}/.venv/bin/python"

have_cjk_font() {
    # fc-list may itself be missing on a bare machine; then the font package is too.
    # (grep without -q: with pipefail, -q's early exit would fail fc-list with SIGPIPE)
    command -v fc-list >/dev/null 2>&1 && fc-list : family | grep -i "Noto Sans CJK" >/dev/null
}

apt_pkgs=()
[ -x /usr/bin/chromium ] || apt_pkgs+=(chromium)
have_cjk_font || apt_pkgs+=(fonts-noto-cjk fontconfig)

if [ "${#apt_pkgs[@]}" -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "install-browser: apt-get install ${apt_pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    ${SUDO} apt-get update
    ${SUDO} apt-get install -y --no-install-recommends "${apt_pkgs[@]}"
else
    echo "install-browser: chromium and Noto Sans CJK already present"
fi

if [ -x "${VENV_PY}" ]; then
    if ! "${VENV_PY}" -c "import playwright" >/dev/null 2>&1; then
        echo "install-browser: pip install playwright"
        "${VENV_PY}" -m pip install --quiet playwright
    else
        echo "install-browser: playwright already installed"
    fi
else
    echo "install-browser: no ${VENV_PY}; skipping playwright (create the venv first)" >&2
fi
