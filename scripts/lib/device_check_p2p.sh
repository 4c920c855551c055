#!/usr/bin/env bash
# The device check's device-to-device row (scripts/device-check.sh, step rows_p2p): transfer
# p2p-uni and p2p-latency between the first two GPUs, both ways (docs/scale-out.md, transfer p2p).
#
#   device_check_p2p.sh NGPUS ENV_PREFIX... -- ACCELBENCH ARGS...
#
# Skipped (exit 77, the reason on stdout) on a machine with fewer than two GPUs; otherwise the exit
# status is accelbench's.
set -u
n=$1
shift
prefix=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do prefix+=("$1"); shift; done
[ $# -gt 0 ] && shift
if ! [ "$n" -ge 2 ] 2>/dev/null; then
    echo "p2p: skipped: ${n:-0} GPU(s): transfer p2p needs two"
    exit 77
fi
exec "${prefix[@]}" "$@" --device cuda:0 --device cuda:1
