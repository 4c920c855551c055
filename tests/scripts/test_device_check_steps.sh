#!/usr/bin/env bash
# The device check's step runner (scripts/lib/device_check_steps.sh): what turns the verdict to
# FAIL and what never does. Each case starts from a clean verdict.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../scripts/lib/device_check_steps.sh
. "$here/../../scripts/lib/device_check_steps.sh"
# device-check.sh runs this test inside its informational ctest_rest step, whose INFORMATIONAL=1
# would otherwise reach every case here and mark the required ones informational.
unset INFORMATIONAL
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
RUN_LOG="$work/run.log"
CAP_SCALE=1
failures=0

expect() { # expect NAME WANT_FAILED_STEPS WANT_LINE_SUBSTRING
    if [ "$FAILED_STEPS" != "$2" ] || [[ "${SUMMARY_LINES[-1]}" != *"$3"* ]]; then
        echo "FAIL $1: FAILED_STEPS=$FAILED_STEPS (want $2), line '${SUMMARY_LINES[-1]}' (want '$3')"
        failures=$((failures + 1))
    else
        echo "ok   $1: ${SUMMARY_LINES[-1]}"
    fi
}
fresh() { FAILED_STEPS=0; SUMMARY_LINES=(); START_S=$(date +%s); TOTAL_BUDGET_S=${1:-100}; }

fresh; run_step ok 5 "$work/l" true; expect "a passing step" 0 "ok: ok in"
fresh; run_step skip 5 "$work/l" sh -c 'exit 77'; expect "exit 77 is a skip" 0 "skipped"
fresh; run_step bad 5 "$work/l" false; expect "a failing step" 1 "failed (exit 1)"
fresh; run_step slow 1 "$work/l" sleep 5; expect "a step past its cap" 1 "timeout after"
fresh; INFORMATIONAL=1 run_step info_bad 5 "$work/l" false; expect "an informational failure" 0 "informational"
fresh; INFORMATIONAL=1 run_step info_slow 1 "$work/l" sleep 5; expect "an informational timeout" 0 "informational"
# The budget is spent: a required step left unrun fails the verdict, an informational one never.
fresh 5; run_step late 5 "$work/l" true; expect "a required step with no time" 1 "not run, time budget spent"
fresh 5; INFORMATIONAL=1 run_step info_late 5 "$work/l" true; expect "an informational step with no time" 0 "not run, time budget spent (informational"
# The time left cuts a cap: 12 s left, cap 60 -> the step is stopped near 12 s, not 60.
fresh 12; t0=$(date +%s); run_step cut 60 "$work/l" sleep 30; dt=$(($(date +%s) - t0))
expect "a cap cut to the time left" 1 "timeout after"
[ "$dt" -le 20 ] || { echo "FAIL the cut step ran ${dt}s"; failures=$((failures + 1)); }
grep -q "limit 12s\|limit 11s" "$RUN_LOG" || { echo "FAIL no cut limit in the log"; failures=$((failures + 1)); }

[ $failures = 0 ] && echo "all step-runner cases pass" || exit 1
