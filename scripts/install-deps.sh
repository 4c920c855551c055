#!/usr/bin/env bash
# Installs the Debian 12 packages in scripts/debian-packages.txt (or the packages named on the
# command line): directly as root, else through sudo.
#   --skip-unavailable   leave out, and name, the packages this distribution's lists do not have
#                        (scripts/cloud/bootstrap.sh on Ubuntu, whose archive lacks a few of them)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
skip_unavailable=0
if [ "${1:-}" = "--skip-unavailable" ]; then skip_unavailable=1; shift; fi
if [ $# -gt 0 ]; then
  pkgs=("$@")
else
  mapfile -t pkgs < <(grep -v '^\s*#' "$here/debian-packages.txt" | grep -v '^\s*$')
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
if [ "$skip_unavailable" = 1 ]; then
  available=() missing=()
  for p in "${pkgs[@]}"; do
    # A candidate version, not just a name that another package mentions. (Read whole: grep -q
    # closing the pipe early would fail apt-cache with SIGPIPE under pipefail.)
    policy=$(apt-cache policy "$p" 2>/dev/null || true)
    if grep -q 'Candidate: [^(]' <<<"$policy"; then available+=("$p"); else missing+=("$p"); fi
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps.sh: not in this distribution's package lists, left out: ${missing[*]}" >&2
  fi
  pkgs=("${available[@]}")
fi
$sudo apt-get install -y -qq --no-install-recommends "${pkgs[@]}"
