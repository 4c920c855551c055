#!/usr/bin/env bash
# Plugins never call libaccel (hal/include/accel/plugin.h): a plugin with an undefined accel_*
# symbol only works by resolving it from the host process, and every backend copied from it would
# inherit the fault. Checks each plugin file given; exits 1 naming each offender and its symbols.
set -euo pipefail
if [ $# -eq 0 ]; then echo "usage: $0 libaccel-backend-<name>.so..." >&2; exit 2; fi
bad=0
for f in "$@"; do
  syms=$(nm -D --undefined-only "$f" | awk '$NF ~ /^accel_/ { sub(/@.*/, "", $NF); print $NF }' | sort -u)
  if [ -n "$syms" ]; then
    echo "plugin_symbols: $f calls libaccel:" $syms
    bad=1
  fi
done
[ $bad -eq 0 ] && echo "plugin_symbols: none of the $# plugins calls libaccel"
exit $bad
