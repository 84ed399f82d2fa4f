#!/usr/bin/env bash
# Install Apertium and its English<->Spanish pair from Debian (apt-get), for measurement only:
# benchmarks/quality.py --apertium eng-spa|spa-eng uses it as a rule-based baseline.
# The app never needs it. Idempotent: does nothing when `apertium -l` already lists eng-spa.
# Needs root (or sudo) and a Debian/Ubuntu apt source. Usage: scripts/install_apertium.sh
set -euo pipefail

has_pair() {
    # read the whole list first: `apertium -l | grep -q` can fail under pipefail (SIGPIPE)
    local pairs
    command -v apertium >/dev/null 2>&1 || return 1
    pairs="$(apertium -l 2>/dev/null)" || return 1
    grep -qE '^[[:space:]]*eng-spa[[:space:]]*$' <<<"$pairs"
}

if has_pair; then
    echo "apertium with eng-spa is already installed: $(command -v apertium)"
    apertium -l | grep -E '^[[:space:]]*(eng-spa|spa-eng)[[:space:]]*$'
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "run as root (or install sudo)" >&2; exit 1; }
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends apertium apertium-eng-spa

if ! has_pair; then
    echo "apertium was installed but 'apertium -l' does not list eng-spa" >&2
    apertium -l >&2 || true
    exit 1
fi
echo "installed: $(command -v apertium)"
apertium -l | grep -E '^[[:space:]]*(eng-spa|spa-eng)[[:space:]]*$'
echo "check: $(echo 'The weather is nice today.' | apertium -u eng-spa)"
