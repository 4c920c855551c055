# What the one-shot device checks share (sourced; bash): scripts/device-check.sh (CUDA) and
# scripts/device-check-gaudi.sh. Arguments, the output and log folders, configure + build, the
# probe's consequences, packed logs, and the summary's per-workload and test lines. The step runner
# itself is scripts/lib/device_check_steps.sh.
#
# device_check_args "$@" sets MODE (full, dry-run, rehearse) and OUTDIR; device_check_dirs FILE...
# sets LOGDIR and RUN_LOG under BUILD_DIR and removes the listed files of OUTDIR, which a run
# appends to. The caller defines write_summary (device_check_after_probe calls it), and for
# device_check_rows sets BACKEND, ACCELBENCH, ROW_ARGS and DEVICE_CMD (a command prefix, `env ...`,
# that gives the device steps their environment).

device_check_usage() {
    echo "usage: $0 OUTDIR [--dry-run | --rehearse]" >&2
    exit 2
}

device_check_args() {
    MODE=full
    OUTDIR=""
    local arg
    for arg in "$@"; do
        case "$arg" in
        --dry-run) MODE=dry-run ;;
        --rehearse) MODE=rehearse ;;
        -h | --help) device_check_usage ;;
        -*) echo "unknown option: $arg" >&2; device_check_usage ;;
        *) [ -z "$OUTDIR" ] || device_check_usage; OUTDIR=$arg ;;
        esac
    done
    [ -n "$OUTDIR" ] || device_check_usage
}

device_check_dirs() {
    mkdir -p "$OUTDIR" || { echo "cannot create $OUTDIR" >&2; exit 2; }
    OUTDIR=$(cd "$OUTDIR" && pwd)
    LOGDIR="$BUILD_DIR/device-check-logs"
    rm -rf "$LOGDIR"
    mkdir -p "$LOGDIR" || { echo "cannot create $LOGDIR" >&2; exit 2; }
    RUN_LOG="$LOGDIR/run.log"
    local f
    for f in summary.txt logs.tar.gz "$@"; do rm -f "$OUTDIR/$f"; done
}

# The lines every env.txt starts with.
environment_head() {
    echo "date: $(date -u +%FT%TZ)"
    echo "mode: $MODE"
    echo "host: $(hostname)"
    echo "kernel: $(uname -srm)"
    echo "cpus: $(nproc 2>/dev/null)"
    echo "git: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "cc: $(${CC:-cc} --version 2>/dev/null | head -1)"
    echo "cmake: $(cmake --version 2>/dev/null | head -1)"
    echo "generator: $GENERATOR"
}

# smi_lines TOOL: the device tool's overview and its clock, power, performance and ECC report
# (nvidia-smi, hl-smi take the same flags), or that it is missing.
smi_lines() {
    local tool=$1
    if command -v "$tool" >/dev/null 2>&1; then
        echo "--- $tool"
        timeout 20 "$tool" 2>&1
        echo "--- $tool -q -d CLOCK,POWER,PERFORMANCE,ECC"
        timeout 20 "$tool" -q -d CLOCK,POWER,PERFORMANCE,ECC 2>&1
    else
        echo "$tool: not found"
    fi
}

# device_check_rows NAME CAP ARGS...: one capped step of `accelbench run` rows on BACKEND, appended
# to quick.csv; a hung row is killed by accelbench's watchdog (--timeout-s) and the next one runs.
device_check_rows() {
    local name=$1 cap=$2
    shift 2
    run_step "rows_$name" "$cap" "$LOGDIR/rows.log" "${DEVICE_CMD[@]}" "$ACCELBENCH" run --backend "$BACKEND" \
        "${ROW_ARGS[@]}" --csv "$OUTDIR/quick.csv" --json "$LOGDIR/rows_$name.json" --tag device-check=rows "$@"
}

# device_check_summary TITLE DEVICE PROBE_TAG PROBE_LINE REHEARSAL_NOTE FIRST_RUN_NOTE writes
# summary.txt: one line per workload and the verdict first, then every step, the probe, the tests
# and conformance on DEVICE, the caller's summary_extra lines (when it defines that function), and
# the run log; prints its first lines.
device_check_summary() {
    local title=$1 device=$2 probe_tag=$3 probe_line=$4 rehearsal_note=$5 first_run_note=$6
    local out="$OUTDIR/summary.txt" line
    {
        workload_lines "$OUTDIR/quick.csv"
        echo "verdict: $([ $FAILED_STEPS = 0 ] && echo PASS || echo "FAIL ($FAILED_STEPS step(s))")"
        [ "$MODE" = rehearse ] && echo "$rehearsal_note"
        echo "=============== $title summary ==============="
        echo "mode: $MODE   build: $BUILD_DIR   out: $OUTDIR"
        echo "total: $(($(date +%s) - START_S))s (budget ${TOTAL_BUDGET_S}s)"
        for line in "${SUMMARY_LINES[@]}"; do echo "  $line"; done
        [ -n "$probe_line" ] && echo "$probe_tag: $probe_line"
        test_lines "$device"
        if declare -F summary_extra >/dev/null; then summary_extra; fi
        [ "$MODE" = full ] && echo "$first_run_note"
        echo "=============== run log ==============="
        cat "$RUN_LOG" 2>/dev/null
    } >"$out"
    head -n 12 "$out"
}

pack_logs() {
    tar czf "$OUTDIR/logs.tar.gz" -C "$(dirname "$LOGDIR")" "$(basename "$LOGDIR")" 2>/dev/null ||
        log "could not pack $LOGDIR into logs.tar.gz"
}

# configure (30 s) and build (BUILD_CAP_S) of BUILD_DIR with GENERATOR and JOBS; BUILT=0 when both
# passed. The configure lines naming the backends go into the run log.
device_check_build() {
    run_step configure 30 "$LOGDIR/build.log" \
        cmake -S "$ROOT" -B "$BUILD_DIR" -G "$GENERATOR" -DCMAKE_BUILD_TYPE=Release -DACCEL_WERROR=OFF \
        -DACCEL_BUILD_TESTS=ON
    local configured=$?
    BUILT=1
    if [ $configured = 0 ]; then
        grep -E 'backend|skipped|not found' "$LOGDIR/build.log" | grep -- '--' | sed 's/^-- /  /' >>"$RUN_LOG"
        run_step build "$BUILD_CAP_S" "$LOGDIR/build.log" cmake --build "$BUILD_DIR" -j "$JOBS"
        BUILT=$?
    fi
}

# device_check_after_probe COUNT WHAT PATH LINE: a dry run, or a failed build, ends here with the
# summary and the packed logs; otherwise says when no WHAT ("CUDA GPU") is usable (LINE: why).
device_check_after_probe() {
    local count=$1 what=$2 path=$3 line=$4
    if [ "$MODE" = dry-run ]; then
        if [ "$count" -gt 0 ]; then
            log "dry run: a $what IS present ($count device(s)); run without --dry-run to check it"
        else
            log "dry run: NO $what on this machine; built and stopped (the $path stays unverified)"
        fi
        write_summary >/dev/null
        pack_logs
        [ $BUILT = 0 ] && exit 0 || exit 1
    fi
    if [ $BUILT != 0 ]; then
        log "build failed: see build.log in $LOGDIR (and logs.tar.gz)"
        write_summary
        pack_logs
        exit 1
    fi
    if [ "$count" -le 0 ]; then
        log "NO $what usable: $line (running the remaining steps anyway, they will report it)"
    fi
}

# ctest verdicts with their failed tests, then the conformance counts on DEVICE (conformance.log)
# with every FAIL and SKIP line.
test_lines() {
    local device=$1 f
    for f in ctest.log ctest-rest.log; do
        [ -f "$LOGDIR/$f" ] || continue
        echo "$f: $(grep -E 'tests passed|tests failed' "$LOGDIR/$f" | tail -1)"
        grep -E '^\s*[0-9]+ - .*\((Failed|Timeout|SEGFAULT|Subprocess aborted|Exception)' "$LOGDIR/$f" | sed 's/^/  failed: /' | head -20
    done
    if [ -f "$LOGDIR/conformance.log" ]; then
        echo "conformance on $device: $(grep -cE "^\s*$device .* PASS" "$LOGDIR/conformance.log") pass, $(grep -cE "^\s*$device .* FAIL" "$LOGDIR/conformance.log") fail, $(grep -cE "^\s*$device .* SKIP" "$LOGDIR/conformance.log") skip"
        grep -E "^\s*$device .* (FAIL|SKIP)" "$LOGDIR/conformance.log" | sed 's/^ */  /' | cut -c1-220 | head -20
    fi
}

# One line per workload of quick.csv: ok when it has an ok row and no failed or error row, with
# its best figure (TFLOP/s, or GB/s for bandwidth workloads) and where that figure came from.
workload_lines() {
    local csv=$1
    if [ ! -s "$csv" ]; then
        echo "no accelbench rows (quick.csv missing or empty)"
        return
    fi
    if ! command -v python3 >/dev/null 2>&1; then
        echo "python3 not found: per-workload lines unavailable, read quick.csv"
        return
    fi
    python3 - "$csv" <<'PY'
import csv, sys
order = ["peak", "stream", "gemm", "bert_layer", "resnet_block", "transfer"]
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
names = sorted({r["workload"] for r in rows}, key=lambda w: (order.index(w) if w in order else 99, w))
def num(v):
    try:
        return float(v)
    except ValueError:
        return None
for w in names:
    mine = [r for r in rows if r["workload"] == w]
    bad = [r for r in mine if r["status"] in ("failed_verification", "error")]
    good = [r for r in mine if r["status"] == "ok"]
    state = "failed" if bad else "ok" if good else "no-row"
    best = ""
    scored = [(num(r["tflops"]) or 0, "TFLOP/s", r) for r in good if num(r["tflops"])]
    scored += [(num(r["gbps"]) or 0, "GB/s", r) for r in good if not num(r["tflops"]) and num(r["gbps"])]
    if scored:
        v, unit, r = max(scored, key=lambda s: s[0])
        pct = f", {float(r['pct_peak']):.0f}% of {r['peak_source']}" if num(r.get("pct_peak", "")) else ""
        best = f"best {v:.4g} {unit} ({r['config']} {r['dtype']} {r['library'] or '-'}{pct})"
    detail = f"{len(good)} ok, {len(bad)} failed, {len(mine) - len(good) - len(bad)} other"
    print(f"{w:<13} {state:<7} {best}  [{detail}]")
    for r in bad[:3]:
        print(f"    {r['status']}: {r['config']} {r['dtype']} {r['library']}: {r['notes'][:160]}")
PY
}
