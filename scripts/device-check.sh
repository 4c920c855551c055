#!/usr/bin/env bash
# One-shot GPU check (DESIGN.md section 9):
#
#   scripts/device-check.sh OUTDIR [--dry-run]
#
# Builds with whatever backends this machine can build (the CUDA backend needs only the toolkit
# headers), runs ctest (conformance included), a direct-cuBLASLt vs HAL GEMM comparison, a PyTorch
# reference and `accelbench suite --quick --backend cuda`, logging everything into OUTDIR:
#   summary.txt env.txt quick.csv (quick suite + gemm 8192 bf16/fp8) gemm_compare.csv torch.csv, and
#   logs.tar.gz: build.log conformance.log (cuda:0) ctest.log (GPU-relevant tests) gemm_compare.log
#   torch.log suite.log ctest-rest.log (every other test, with the time left), also left unpacked in
#   BUILD_DIR/device-check-logs
# Every step runs under a timeout and the whole run stays under 8 minutes; a hung step costs only
# its own slice. Needs no network and no package manager: a C compiler, CMake, ninja (or make),
# the CUDA toolkit and, for the reference, Python with PyTorch.
#
# Rehearsal without a GPU: ACCEL_FAKE_CUDA=ok LD_LIBRARY_PATH=<build>/backends/cuda/tests/fake_driver
# scripts/device-check.sh OUT runs every step against the fake H100 of the cuda tests (its
# conformance passes; the cuBLASLt steps fail there and the host-emulated quick suite times out).
#
# --dry-run (what CI runs on machines without a GPU): configure and build, look for a GPU, say
# clearly that there is none, exit 0. Environment: ACCEL_DEVICE_CHECK_BUILD_DIR (default
# build-device), CUDA_HOME (default: found from nvcc or /usr/local/cuda).
set -u

TOTAL_BUDGET_S=470 # 7 min 50 s for everything
START_S=$(date +%s)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${ACCEL_DEVICE_CHECK_BUILD_DIR:-$ROOT/build-device}
DRY_RUN=0
OUTDIR=""
SUMMARY_LINES=()
FAILED_STEPS=0

usage() {
    echo "usage: $0 OUTDIR [--dry-run]" >&2
    exit 2
}

for arg in "$@"; do
    case "$arg" in
    --dry-run) DRY_RUN=1 ;;
    -h | --help) usage ;;
    -*) echo "unknown option: $arg" >&2; usage ;;
    *) [ -z "$OUTDIR" ] || usage; OUTDIR=$arg ;;
    esac
done
[ -n "$OUTDIR" ] || usage
# A dry run builds on small CI machines: the 8-minute GPU budget does not apply to it.
BUILD_CAP_S=200
if [ $DRY_RUN = 1 ]; then
    TOTAL_BUDGET_S=2400
    BUILD_CAP_S=2200
fi
mkdir -p "$OUTDIR" || { echo "cannot create $OUTDIR" >&2; exit 2; }
OUTDIR=$(cd "$OUTDIR" && pwd)
# OUTDIR gets six files at most (summary.txt env.txt quick.csv gemm_compare.csv torch.csv logs.tar.gz):
# a lending tool that returns a handful of files must not drop the verdict. Full logs sit in LOGDIR
# and, packed, in logs.tar.gz.
LOGDIR="$BUILD_DIR/device-check-logs"
rm -rf "$LOGDIR"
mkdir -p "$LOGDIR" || { echo "cannot create $LOGDIR" >&2; exit 2; }
# Rows are appended within this run (two compare rows, suite + 8192 rows): start from nothing.
rm -f "$OUTDIR/quick.csv" "$OUTDIR/gemm_compare.csv" "$OUTDIR/torch.csv" "$OUTDIR/logs.tar.gz"

log() { echo "[device-check $(($(date +%s) - START_S))s] $*" | tee -a "$OUTDIR/summary.txt" >&2; }
remaining_s() { echo $((TOTAL_BUDGET_S - ($(date +%s) - START_S))); }

# run_step NAME CAP_S LOGFILE CMD...: runs CMD under min(CAP_S, time left), appends its output to
# LOGFILE, records ok / failed (rc) / timeout / skipped (rc 77) with its duration.
run_step() {
    local name=$1 cap=$2 logfile=$3
    shift 3
    local left
    left=$(remaining_s)
    if [ "$left" -le 10 ]; then
        SUMMARY_LINES+=("$name: not run (time budget spent)")
        log "$name: not run, time budget spent"
        FAILED_STEPS=$((FAILED_STEPS + 1))
        return 1
    fi
    local limit=$cap
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
    local verdict
    case $rc in
    0) verdict="ok" ;;
    77) verdict="skipped" ;;
    124 | 137) verdict="timeout after ${dt}s"; FAILED_STEPS=$((FAILED_STEPS + 1)) ;;
    *) verdict="failed (exit $rc)"; FAILED_STEPS=$((FAILED_STEPS + 1)) ;;
    esac
    if [ "${INFORMATIONAL:-0}" = 1 ] && [ "$rc" != 0 ] && [ "$rc" != 77 ]; then
        FAILED_STEPS=$((FAILED_STEPS - 1))
        verdict="$verdict (informational: not part of the verdict)"
    fi
    SUMMARY_LINES+=("$name: $verdict in ${dt}s")
    log "$name: $verdict in ${dt}s"
    return $rc
}

find_cuda_home() {
    if [ -n "${CUDA_HOME:-}" ] && [ -f "$CUDA_HOME/include/cuda.h" ]; then echo "$CUDA_HOME"; return; fi
    local nvcc
    nvcc=$(command -v nvcc 2>/dev/null || true)
    if [ -n "$nvcc" ]; then
        local home
        home=$(cd "$(dirname "$(readlink -f "$nvcc")")/.." && pwd)
        [ -f "$home/include/cuda.h" ] && { echo "$home"; return; }
    fi
    [ -f /usr/local/cuda/include/cuda.h ] && { echo /usr/local/cuda; return; }
    echo ""
}

record_environment() {
    {
        echo "date: $(date -u +%FT%TZ)"
        echo "host: $(hostname)"
        echo "kernel: $(uname -srm)"
        echo "git: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
        echo "cuda_home: ${CUDA_HOME:-none}"
        echo "cc: $(${CC:-cc} --version 2>/dev/null | head -1)"
        echo "cmake: $(cmake --version 2>/dev/null | head -1)"
        echo "generator: $GENERATOR"
        if [ -n "${CUDA_HOME:-}" ] && [ -x "$CUDA_HOME/bin/nvcc" ]; then
            echo "nvcc: $("$CUDA_HOME/bin/nvcc" --version | tail -1)"
        fi
        if command -v nvidia-smi >/dev/null 2>&1; then
            echo "--- nvidia-smi"
            timeout 20 nvidia-smi 2>&1
            echo "--- nvidia-smi -q -d CLOCK,POWER,PERFORMANCE,ECC"
            timeout 20 nvidia-smi -q -d CLOCK,POWER,PERFORMANCE,ECC 2>&1
        else
            echo "nvidia-smi: not found"
        fi
        echo "python: $(python3 --version 2>&1)"
        timeout 30 python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())' 2>&1 || true
    } >"$OUTDIR/env.txt" 2>&1
}

pack_logs() {
    tar czf "$OUTDIR/logs.tar.gz" -C "$(dirname "$LOGDIR")" "$(basename "$LOGDIR")" 2>/dev/null ||
        log "could not pack $LOGDIR into logs.tar.gz"
}

write_summary() {
    {
        echo "=============== device-check summary ==============="
        echo "mode: $([ $DRY_RUN = 1 ] && echo dry-run || echo full)   build: $BUILD_DIR   out: $OUTDIR"
        echo "total: $(($(date +%s) - START_S))s (budget ${TOTAL_BUDGET_S}s)"
        for line in "${SUMMARY_LINES[@]}"; do echo "  $line"; done
        [ -n "${GPU_LINE:-}" ] && echo "gpu: $GPU_LINE"
        for f in ctest.log ctest-rest.log; do
            [ -f "$LOGDIR/$f" ] || continue
            echo "$f: $(grep -E 'tests passed|tests failed' "$LOGDIR/$f" | tail -1)"
            grep -E '^\s*[0-9]+ - .*\((Failed|Timeout|SEGFAULT|Subprocess aborted|Exception)' "$LOGDIR/$f" | sed 's/^/  failed: /' | head -20
        done
        if [ -f "$LOGDIR/conformance.log" ]; then
            echo "conformance on cuda:0: $(grep -cE '^\s*cuda:0 .* PASS' "$LOGDIR/conformance.log") pass, $(grep -cE '^\s*cuda:0 .* FAIL' "$LOGDIR/conformance.log") fail, $(grep -cE '^\s*cuda:0 .* SKIP' "$LOGDIR/conformance.log") skip"
            grep -E '^\s*cuda:0 .* (FAIL|SKIP)' "$LOGDIR/conformance.log" | sed 's/^ */  /' | cut -c1-220 | head -20
        fi
        [ -f "$LOGDIR/gemm_compare.log" ] && grep -E 'TFLOP/s|no CUDA' "$LOGDIR/gemm_compare.log" | tail -2 | sed 's/^/gemm_compare: /'
        [ -f "$LOGDIR/torch.log" ] && grep -E 'TFLOP/s|SKIP' "$LOGDIR/torch.log" | sed 's/^/torch: /'
        if [ -f "$OUTDIR/quick.csv" ]; then
            echo "quick.csv: $(($(wc -l <"$OUTDIR/quick.csv") - 1)) rows; statuses:"
            python3 - "$OUTDIR/quick.csv" <<'PY' 2>/dev/null || true
import csv, sys, collections
rows = list(csv.DictReader(open(sys.argv[1])))
print("  " + ", ".join(f"{k}={v}" for k, v in collections.Counter(r.get("status", "?") for r in rows).items()))
for r in rows:
    if r.get("status") not in ("ok", "unsupported", "skipped"):
        print(f"  {r.get('workload')} {r.get('config')} {r.get('dtype')}: {r.get('status')} {r.get('notes', '')[:160]}")
PY
        fi
        echo "verdict: $([ $FAILED_STEPS = 0 ] && echo PASS || echo "FAIL ($FAILED_STEPS step(s))")"
        echo "NOTE: the CUDA backend was written without a GPU; this run is its first verification."
    } | tee -a "$OUTDIR/summary.txt"
}

# ---------------------------------------------------------------------------------------------
: >"$OUTDIR/summary.txt"
log "accelbench device check: $([ $DRY_RUN = 1 ] && echo dry run || echo full run), output in $OUTDIR"
CUDA_HOME=$(find_cuda_home)
export CUDA_HOME
if [ -n "$CUDA_HOME" ]; then
    # NVRTC and cuBLASLt are dlopen()ed by soname; the toolkit's lib64 is often not in ld.so.conf.
    export LD_LIBRARY_PATH="$CUDA_HOME/lib64:$CUDA_HOME/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    log "CUDA toolkit: $CUDA_HOME"
else
    log "no CUDA toolkit found (CUDA_HOME, nvcc, /usr/local/cuda): the cuda backend will be skipped"
fi
export ACCEL_CACHE_DIR="$BUILD_DIR/kernel-cache"
GENERATOR="Ninja"
command -v ninja >/dev/null 2>&1 || GENERATOR="Unix Makefiles"
record_environment
JOBS=$(nproc 2>/dev/null || echo 4)

run_step configure 60 "$LOGDIR/build.log" \
    cmake -S "$ROOT" -B "$BUILD_DIR" -G "$GENERATOR" -DCMAKE_BUILD_TYPE=Release -DACCEL_WERROR=OFF \
    -DACCEL_BUILD_TESTS=ON
CONFIGURED=$?
if [ $CONFIGURED = 0 ]; then
    grep -E 'backend|skipped|not found' "$LOGDIR/build.log" | grep -- '--' | sed 's/^-- /  /' >>"$OUTDIR/summary.txt"
    run_step build "$BUILD_CAP_S" "$LOGDIR/build.log" cmake --build "$BUILD_DIR" -j "$JOBS"
fi
BUILT=$?
[ $CONFIGURED = 0 ] || BUILT=1

# Is there a GPU the CUDA backend can use? Ask the plugin itself, through the runtime.
GPU_COUNT=0
GPU_LINE="no build"
PLUGIN="$BUILD_DIR/lib/accel/libaccel-backend-cuda.so"
PROBE="$BUILD_DIR/bin/cuda_plugin_load_test"
if [ $BUILT = 0 ] && [ -x "$PROBE" ] && [ -f "$PLUGIN" ]; then
    probe_out=$(timeout 60 "$PROBE" "$PLUGIN" any 2>&1)
    GPU_LINE=$(echo "$probe_out" | grep -E '^cuda(:0)?' | tr '\n' ' ')
    GPU_COUNT=$(echo "$probe_out" | sed -n 's/.* devices=\([0-9]*\).*/\1/p' | head -1)
    GPU_COUNT=${GPU_COUNT:-0}
elif [ $BUILT = 0 ]; then
    GPU_LINE="cuda backend not built (no CUDA toolkit headers?)"
fi
log "GPU probe: ${GPU_LINE:-nothing}"

if [ $DRY_RUN = 1 ]; then
    if [ "$GPU_COUNT" -gt 0 ]; then
        log "dry run: a CUDA GPU IS present ($GPU_COUNT device(s)); run without --dry-run to check it"
    else
        log "dry run: NO CUDA GPU on this machine; built and stopped (the GPU path stays unverified)"
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
if [ "$GPU_COUNT" -le 0 ]; then
    log "NO CUDA GPU usable: $GPU_LINE (running the remaining steps anyway, they will report it)"
fi

# The conformance table on the GPU itself, every check's line kept (ctest shows output only on
# failure).
run_step conformance_cuda 90 "$LOGDIR/conformance.log" \
    "$BUILD_DIR/bin/accel_conformance" --device cuda:0

# GPU-relevant tests first (conformance on every device, the cuda and shared-kernel tests); the
# rest of the project's tests run last, with whatever time is left.
GPU_TESTS='conformance|cuda|gpu_kernel'
run_step ctest_gpu 150 "$LOGDIR/ctest.log" \
    ctest --test-dir "$BUILD_DIR" --output-on-failure --timeout 120 -j "$JOBS" -R "$GPU_TESTS"
run_step gemm_compare 60 "$LOGDIR/gemm_compare.log" \
    "$BUILD_DIR/bin/cublaslt_direct_bench" --size 8192 --reps 10 --rounds 7 --csv "$OUTDIR/gemm_compare.csv"
run_step gemm_compare_fp8 45 "$LOGDIR/gemm_compare.log" \
    "$BUILD_DIR/bin/cublaslt_direct_bench" --dtype fp8 --size 8192 --reps 10 --rounds 7 --csv "$OUTDIR/gemm_compare.csv"
# PyTorch brings its own CUDA libraries: run it without the toolkit on LD_LIBRARY_PATH.
run_step torch 60 "$LOGDIR/torch.log" \
    env -u LD_LIBRARY_PATH python3 "$ROOT/scripts/torch_gpu_reference.py" --csv "$OUTDIR/torch.csv"
run_step quick_suite 200 "$LOGDIR/suite.log" \
    "$BUILD_DIR/bin/accelbench" suite --quick --backend cuda --csv "$OUTDIR/quick.csv" --json "$LOGDIR/quick.json"
# The headline sizes the quick suite leaves out: 8192^3 bf16 and fp8 (e4m3, cuBLASLt), with the
# measured matrix roofs, appended to quick.csv.
run_step gemm_8192 90 "$LOGDIR/suite.log" \
    "$BUILD_DIR/bin/accelbench" run --workload gemm,peak --config 8192,matrix --dtype bf16,fp8 --backend cuda \
    --library cublaslt --csv "$OUTDIR/quick.csv" --json "$LOGDIR/gemm_8192.json"

if command -v nvidia-smi >/dev/null 2>&1; then
    timeout 20 nvidia-smi -q -d CLOCK,POWER,PERFORMANCE >"$LOGDIR/nvidia-smi-after.txt" 2>&1 || true
fi
# Not GPU-specific: reported, but a slow CPU test running out of time does not fail the GPU check.
INFORMATIONAL=1 run_step ctest_rest 120 "$LOGDIR/ctest-rest.log" \
    ctest --test-dir "$BUILD_DIR" --output-on-failure --timeout 60 -j "$JOBS" -E "$GPU_TESTS"
write_summary
pack_logs
[ $FAILED_STEPS = 0 ] && exit 0 || exit 1
