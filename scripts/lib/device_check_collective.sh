#!/usr/bin/env bash
# The device check's rows across ranks (scripts/device-check.sh, steps rows_collective and
# rows_dp_step): one rank per GPU present under mpirun, through NCCL, rows appended to quick.csv.
# $DC_STEP_LABEL names the step in the messages (default "collective").
#
#   device_check_collective.sh NRANKS NCCL_PROBE ENV_PREFIX... -- ACCELBENCH ARGS...
#
# Skipped (exit 77, the reason on stdout, which run_step keeps in rows.log and the summary calls
# "skipped") when the machine cannot run it: no GPU, no mpirun, an accelbench built without MPI, or
# no usable NCCL (NCCL_PROBE, cuda_nccl_load_test, searches where the plugin does and says why).
# Otherwise the exit status is accelbench's.
set -u
n=$1 probe=$2
label=${DC_STEP_LABEL:-collective}
shift 2
prefix=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do prefix+=("$1"); shift; done
[ $# -gt 0 ] && shift

if [ "$n" -lt 1 ] 2>/dev/null || ! [ "$n" -ge 1 ] 2>/dev/null; then
    echo "$label: skipped: no GPU"; exit 77
fi
mpirun=$(command -v mpirun 2>/dev/null) || {
    echo "$label: skipped: no mpirun on this machine (collectives need Open MPI: openmpi-bin, and libopenmpi-dev at build time)"
    exit 77
}
if [ -x "$probe" ]; then
    out=$("${prefix[@]}" "$probe" 2>&1)
    rc=$?
    echo "$out"
    if [ $rc = 77 ]; then echo "$label: skipped: ${out#skipped: }"; exit 77; fi
    [ $rc = 0 ] || { echo "$label: the NCCL probe failed (exit $rc)"; exit $rc; }
fi
# Open MPI refuses root without these; the device check runs as whatever user it is given, and only
# this step's mpirun sees them.
if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
plan=$("$mpirun" -np "$n" --oversubscribe --bind-to none "${prefix[@]}" "$@" --dry-run 2>&1)
if echo "$plan" | grep -q "built without MPI"; then
    echo "$label: skipped: this accelbench was built without MPI (install libopenmpi-dev and rebuild)"
    exit 77
fi
exec "$mpirun" -np "$n" --oversubscribe --bind-to none "${prefix[@]}" "$@"
