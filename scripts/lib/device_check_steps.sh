# Step runner of scripts/device-check.sh (sourced; bash): every step under min(its cap, the time
# left of the run's budget), each outcome recorded, and the verdict kept. Tested by
# tests/scripts/test_device_check_steps.sh.
#
# The caller sets TOTAL_BUDGET_S, START_S, CAP_SCALE and RUN_LOG before calling run_step; reads
# FAILED_STEPS (the verdict: 0 = PASS) and SUMMARY_LINES (one line per step).

FAILED_STEPS=0
SUMMARY_LINES=()

log() { echo "[device-check $(($(date +%s) - START_S))s] $*" | tee -a "$RUN_LOG" >&2; }
remaining_s() { echo $((TOTAL_BUDGET_S - ($(date +%s) - START_S))); }

# run_step NAME CAP_S LOGFILE CMD...: runs CMD under min(CAP_S x CAP_SCALE, time left), appends its
# output to LOGFILE, records ok / failed (rc) / timeout / skipped (rc 77) / not run (budget spent)
# with its duration. A failure, a timeout or a step left unrun turns the verdict to FAIL, unless
# INFORMATIONAL=1 is in the step's environment: an informational step never does, run or not.
run_step() {
    local name=$1 cap=$2 logfile=$3
    shift 3
    local informational=${INFORMATIONAL:-0}
    local note=""
    [ "$informational" = 1 ] && note=" (informational: not part of the verdict)"
    local left
    left=$(remaining_s)
    if [ "$left" -le 10 ]; then
        SUMMARY_LINES+=("$name: not run, time budget spent$note")
        log "$name: not run, time budget spent$note"
        [ "$informational" = 1 ] || FAILED_STEPS=$((FAILED_STEPS + 1))
        return 1
    fi
    local limit=$((cap * CAP_SCALE))
    [ "$left" -lt "$limit" ] && limit=$left
    log "$name: starting (limit ${limit}s, log $(basename "$logfile"))"
    local t0 rc
    t0=$(date +%s)
    {
        echo "### $name: $*"
        echo "### started $(date -u +%FT%TZ), limit ${limit}s"
    } >>"$logfile"
    timeout --kill-after=5 "$limit" "$@" >>"$logfile" 2>&1
    rc=$?
    local dt=$(($(date +%s) - t0))
    local verdict failed=0
    case $rc in
    0) verdict="ok" ;;
    77) verdict="skipped" ;;
    124 | 137) verdict="timeout after ${dt}s"; failed=1 ;;
    *) verdict="failed (exit $rc)"; failed=1 ;;
    esac
    [ $failed = 1 ] && [ "$informational" != 1 ] && FAILED_STEPS=$((FAILED_STEPS + 1))
    SUMMARY_LINES+=("$name: $verdict in ${dt}s$note")
    log "$name: $verdict in ${dt}s$note"
    return $rc
}
