#!/usr/bin/env bash
# One-shot Gaudi check, for the first machine lent with an Intel Gaudi 2 or Gaudi 3
# (docs/backend-gaudi.md):
#
#   scripts/device-check-gaudi.sh OUTDIR [--dry-run | --rehearse]
#
# Budget: the whole run takes at most 7 min 50 s (TOTAL_BUDGET_S), whatever happens: every step runs
# under min(its cap, the time left). Needs no network and no package manager: a C compiler, CMake,
# ninja (or make) and the Intel Gaudi software stack (libSynapse.so, libhlml.so, the habanalabs
# driver); the gaudi backend itself needs nothing installed to build.
#
# Steps, in this order, with their caps (s). One Gaudi row of every workload the backend runs comes
# first (peak and stream need kernels, which a Gaudi does not load):
#   configure 30, build 120, probe 30                                       (worst case 180)
#   rows_gemm 60     gemm 8192, every dtype (fp8 is e4m3: refused on Gaudi 2, with the reason)
#   rows_bert 30     bert_layer base-s128-b8 bf16
#   rows_resnet 30   resnet_block conv3_x-identity-b32-nhwc bf16             (worst case 300)
#   then the rest, each cut to the time left: conformance_gaudi 90 (every op compiles a graph),
#   quick_suite 120 (`suite --quick --resume`: the quick list minus the rows above), ctest_gaudi 60
#   (the gaudi tests: they run on their mocks and probe this machine), ctest_rest (every other test,
#   informational, what is left).
# A step that fails, times out, or is not run because the budget is spent turns the verdict to FAIL;
# an informational one never does, run or not.
#
# OUTDIR gets four files:
#   summary.txt   one line per workload first (ok/failed, best figure), then the verdict, the probe
#                 (gaudi:0 as the plugin describes it), every step with its time, the conformance
#                 and test results, and the run log
#   env.txt       machine, habanalabs driver, packages, hl-smi, PyTorch for HPU
#   quick.csv     every accelbench row of the run
#   logs.tar.gz   build.log probe.log rows.log conformance.log suite.log ctest.log ctest-rest.log
#                 hl-smi-after.txt run.log *.json (also left in BUILD_DIR/device-check-logs)
#
# --dry-run: configure and build, ask the plugin, say whether there is a Gaudi, exit 0.
# --rehearse: the whole run against the mock SynapseAI and HLML of the gaudi tests (a Gaudi 2 that
# computes every graph node on the host through the fp64 reference), each workload at its smallest
# real config and every cap x3, so every step runs here; its figures are meaningless, its point is
# the script, the plumbing and the verdict. Environment: ACCEL_DEVICE_CHECK_BUILD_DIR (default
# build-device).
set -u

TOTAL_BUDGET_S=470
START_S=$(date +%s)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${ACCEL_DEVICE_CHECK_BUILD_DIR:-$ROOT/build-device}
. "$ROOT/scripts/lib/device_check_common.sh"
. "$ROOT/scripts/lib/device_check_steps.sh"
device_check_args "$@"

BUILD_CAP_S=120
CAP_SCALE=1
ROW_ARGS=(--warmup-ms 300 --min-time-ms 200 --max-samples 50 --timeout-s 40)
GEMM_CONFIG=8192
BERT_CONFIG=base-s128-b8
RESNET_CONFIG=conv3_x-identity-b32-nhwc
SUITE_ARGS=(--quick)
case $MODE in
dry-run)
    TOTAL_BUDGET_S=2400
    BUILD_CAP_S=2200
    ;;
rehearse)
    # The mock computes in fp64 on two host cores: caps x3, the smallest configs.
    TOTAL_BUDGET_S=1500
    BUILD_CAP_S=600
    CAP_SCALE=3
    ROW_ARGS=(--warmup-ms 0 --min-time-ms 1 --max-samples 2 --timeout-s 60)
    GEMM_CONFIG=deepbench-7680x1x2560-NN
    BERT_CONFIG=base-s128-b1
    RESNET_CONFIG=conv5_x-identity-b1-nhwc
    SUITE_ARGS=(--workload gemm --config deepbench-7680x1x2560-NN) # measured above: --resume skips it
    ;;
esac
device_check_dirs quick.csv

record_environment() {
    {
        environment_head
        echo "habanalabs driver: $(cat /sys/module/habanalabs/version 2>/dev/null || echo 'not loaded')"
        echo "device nodes: $(ls /dev/accel/accel[0-9]* /dev/hl[0-9]* 2>/dev/null | tr '\n' ' ')"
        echo "--- packages"
        { dpkg -l 2>/dev/null || rpm -qa 2>/dev/null; } | grep -i habana | head -30
        smi_lines hl-smi
        echo "python: $(python3 --version 2>&1)"
        timeout 30 python3 -c 'import habana_frameworks.torch, torch; print("torch", torch.__version__, "hpu", torch.hpu.is_available())' 2>&1 || true
    } >"$OUTDIR/env.txt" 2>&1
}

write_summary() {
    device_check_summary device-check-gaudi gaudi:0 probe "${PROBE_LINE:-}" \
        "REHEARSAL on the mock SynapseAI of the gaudi tests: the figures above are meaningless." \
        "NOTE: the gaudi backend was written against a mock SynapseAI; this run is its first verification."
}

# ---------------------------------------------------------------------------------------------
log "accelbench Gaudi check: $MODE, output in $OUTDIR"
GENERATOR="Ninja"
command -v ninja >/dev/null 2>&1 || GENERATOR="Unix Makefiles"
record_environment
JOBS=$(nproc 2>/dev/null || echo 4)
device_check_build

# The Gaudi steps' environment: nothing on a Gaudi machine; the test mocks for a rehearsal.
GAUDI_ENV=()
if [ "$MODE" = rehearse ]; then
    MOCK="$BUILD_DIR/backends/gaudi/tests"
    GAUDI_ENV=("ACCEL_GAUDI_SYNAPSE_LIB=$MOCK/mock/libSynapse.so" "ACCEL_GAUDI_HLML_LIB=$MOCK/mock/libhlml.so"
        "ACCEL_GAUDI_ROOT=$MOCK/roots/node")
    log "rehearsal: the Gaudi steps run on the mock SynapseAI ($MOCK/mock)"
fi
GAUDI=(env "${GAUDI_ENV[@]}")

# Is there a Gaudi the plugin can use? Ask the plugin itself, through the runtime: the probe also
# opens gaudi:0 and prints its description (type, HBM, TPCs, versions, clocks, peaks).
GAUDI_COUNT=0
PROBE_LINE="no build"
PLUGIN="$BUILD_DIR/lib/accel/libaccel-backend-gaudi.so"
PROBE="$BUILD_DIR/bin/gaudi_load_test"
if [ $BUILT = 0 ] && [ -x "$PROBE" ] && [ -f "$PLUGIN" ]; then
    "${GAUDI[@]}" timeout 60 "$PROBE" "$PLUGIN" host >"$LOGDIR/probe.log" 2>&1
    PROBE_LINE=$(grep -E '^gaudi(: |:0 )' "$LOGDIR/probe.log" | cut -c1-400 | tr '\n' ' ')
    GAUDI_COUNT=$(sed -n 's/^gaudi: .* devices=\([0-9]*\).*/\1/p' "$LOGDIR/probe.log" | head -1)
    GAUDI_COUNT=${GAUDI_COUNT:-0}
elif [ $BUILT = 0 ]; then
    PROBE_LINE="gaudi backend or its load test not built"
fi
log "Gaudi probe: ${PROBE_LINE:-nothing}"
device_check_after_probe "$GAUDI_COUNT" "Gaudi" "Gaudi path" "$PROBE_LINE"

# One row of every workload first, each its own capped step, rows appended to quick.csv.
ACCELBENCH="$BUILD_DIR/bin/accelbench"
BACKEND=gaudi
DEVICE_CMD=("${GAUDI[@]}")
device_check_rows gemm 60 --workload gemm --config "$GEMM_CONFIG"
device_check_rows bert 30 --workload bert_layer --config "$BERT_CONFIG" --dtype bf16
device_check_rows resnet 30 --workload resnet_block --config "$RESNET_CONFIG" --dtype bf16

# The conformance table on gaudi:0, every check's line kept (ctest shows output only on failure).
run_step conformance_gaudi 90 "$LOGDIR/conformance.log" \
    "${GAUDI[@]}" "$BUILD_DIR/bin/accel_conformance" --device gaudi:0
run_step quick_suite 120 "$LOGDIR/suite.log" \
    "${GAUDI[@]}" "$ACCELBENCH" suite --backend gaudi --resume "${ROW_ARGS[@]}" "${SUITE_ARGS[@]}" \
    --csv "$OUTDIR/quick.csv" --json "$LOGDIR/quick.json" --tag device-check=suite
if command -v hl-smi >/dev/null 2>&1; then
    timeout 20 hl-smi -q -d CLOCK,POWER,PERFORMANCE >"$LOGDIR/hl-smi-after.txt" 2>&1 || true
fi
# The gaudi tests (they set up their own mocks; gaudi_load_host probes this machine), then every
# other test with whatever time is left: not Gaudi-specific, reported, never part of the verdict.
GAUDI_TESTS='gaudi'
run_step ctest_gaudi 60 "$LOGDIR/ctest.log" \
    ctest --test-dir "$BUILD_DIR" --output-on-failure --timeout 60 -j "$JOBS" -R "$GAUDI_TESTS"
INFORMATIONAL=1 run_step ctest_rest 120 "$LOGDIR/ctest-rest.log" \
    ctest --test-dir "$BUILD_DIR" --output-on-failure --timeout 60 -j "$JOBS" -E "$GAUDI_TESTS"
write_summary
pack_logs
[ $FAILED_STEPS = 0 ] && exit 0 || exit 1
