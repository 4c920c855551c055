#!/usr/bin/env bash
# One-shot GPU check, for a machine lent once with an NVIDIA GPU (docs/backend-cuda.md):
#
#   scripts/device-check.sh OUTDIR [--dry-run | --rehearse]
#
# Budget: the whole run takes at most 7 min 50 s (TOTAL_BUDGET_S) on an H200 host with 16 cores,
# whatever happens: every step runs under min(its cap, the time left). Needs no network and no
# package manager: a C compiler, CMake, ninja (or make), the CUDA toolkit headers, any NVIDIA driver
# from R525 (CUDA 12.0) on, and, for the reference row, Python with PyTorch.
#
# Steps, in this order, with their caps (s). The order puts one GPU row of every workload first,
# so that even when the build takes its whole cap every workload still gets its row:
#   configure 30, build 120, probe 30                                       (worst case 180)
#   rows_peak 45     peak fma + matrix (every dtype, every op library)
#   rows_stream 25   stream triad
#   rows_gemm 60     gemm 8192, every dtype (fp32 tf32 fp16 bf16 fp8) through every op library
#   rows_bert 30     bert_layer base-s128-b8 bf16
#   rows_attention 40 bert_layer base-s128-b8-fused, large-s384-b1 and large-s384-b1-fused bf16: the
#                    fused attention op's layer beside the composed (cuBLASLt + softmax) one
#                    (both bert steps --verbose: rows.log gets each layer's planned ops and each
#                    op's median time over up to 1 s of profiled runs, where the GPU layer's time goes)
#   rows_resnet 30   resnet_block conv3_x-identity-b32-nhwc bf16
#   rows_train 40    one training step per model, bf16: bert_layer base-s128-b8-train and
#                    resnet_block conv3_x-identity-b32-nhwc-train; `unsupported` (exit 0) where the
#                    backend lacks a training op, naming it; the resnet row's notes (and summary.txt)
#                    say which library ran conv backward (cuDNN, or our kernels and why)
#   rows_collective 30  all_reduce bf16, 1 MiB to 1 GiB, one rank per GPU present under mpirun,
#                    through NCCL (scripts/lib/device_check_collective.sh); skipped with the reason
#                    where there is no mpirun, no MPI build or no NCCL
#   rows_p2p 15      transfer p2p-uni and p2p-latency between cuda:0 and cuda:1, both ways (link and
#                    peer access in the rows); skipped with the reason on one GPU
#   rows_dp_step 30  one dp_step row (data-parallel bert_layer training step, bf16), one rank per GPU
#                    under mpirun, gradient buckets all-reduced through NCCL; skipped as
#                    rows_collective is                                       (worst case 525)
#   then the rest, each cut to the time left: conformance_cuda 60, gemm_compare 40 (bf16) and 30
#   (fp8: the HAL against cuBLASLt called directly), attention_sdpa 30 (the attention op alone,
#   fused against composed, base-s128-b8 and large-s384-b1 bf16, with the padding mask and causal,
#   outputs compared: attention_bench),
#   quick_suite 120 (`suite --quick --resume`: the
#   quick list minus the rows above), torch 45 (PyTorch reference: matmul, and
#   scaled_dot_product_attention on the attention_sdpa shapes, masked, unmasked and is_causal;
#   informational, skipped without torch), ctest_gpu 90
#   (the cuda and shared-kernel tests), ctest_rest (every other test, informational, what is left).
# A step that fails, times out, or is not run because the budget is spent turns the verdict to FAIL;
# an informational one never does, run or not.
#
# OUTDIR gets six files at most (a lending tool that returns a handful must not drop the verdict):
#   summary.txt   one line per workload first (ok/failed, best figure), then the verdict and every
#                 step with its time, failures in detail, and the run log
#   env.txt       machine, driver, toolkit, nvidia-smi, PyTorch
#   quick.csv     every accelbench row of the run (the rows above, then the quick suite)
#   gemm_compare.csv  HAL vs direct cuBLASLt, 8192^3 bf16 and fp8
#   torch.csv     PyTorch reference rows: matmul, and SDPA (op=sdpa)
#   logs.tar.gz   build.log conformance.log ctest.log ctest-rest.log rows.log suite.log attention.log
#                 gemm_compare.log torch.log run.log *.json (also left in BUILD_DIR/device-check-logs)
#
# --dry-run (what CI runs without a GPU): configure and build, look for a GPU, say whether there is
# one, exit 0. --rehearse: the whole run against the fake H100 of the cuda tests (fake driver,
# fake cuBLASLt, fake NCCL and fake cuDNN from this build, shrunk to 2 SMs and 1 MiB of L2, kernels emulated on
# host threads),
# with each workload at its smallest real config and every cap x3 (two host cores emulate the GPU),
# so every step runs and passes here; its figures are meaningless, its point is the script, the
# plumbing and the verdict. Environment:
# ACCEL_DEVICE_CHECK_BUILD_DIR (default build-device), CUDA_HOME (default: from nvcc or
# /usr/local/cuda).
set -u

TOTAL_BUDGET_S=470
START_S=$(date +%s)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${ACCEL_DEVICE_CHECK_BUILD_DIR:-$ROOT/build-device}
# Arguments, folders, build, probe handling, packed logs, summary lines; then the step runner.
. "$ROOT/scripts/lib/device_check_common.sh"
. "$ROOT/scripts/lib/device_check_steps.sh"
device_check_args "$@"

# What the rows steps measure, and how long each row samples. The rehearsal keeps every workload but
# takes its smallest real config: the fake computes on two host cores.
BUILD_CAP_S=120
CAP_SCALE=1
ROW_ARGS=(--warmup-ms 300 --min-time-ms 200 --max-samples 50 --timeout-s 40)
PEAK_CONFIGS=fma,matrix
GEMM_CONFIG=8192
BERT_CONFIG=base-s128-b8
ATTENTION_CONFIGS=base-s128-b8-fused,large-s384-b1,large-s384-b1-fused
ATTENTION_SHAPES=base-s128-b8,large-s384-b1
ATTENTION_BENCH_ARGS=(--reps 20 --rounds 7)
RESNET_CONFIG=conv3_x-identity-b32-nhwc
TRAIN_CONFIGS=base-s128-b8-train,conv3_x-identity-b32-nhwc-train
COLLECTIVE_SIZES=(--min-bytes 1048576 --max-bytes 1073741824 --factor 4)
DP_CONFIG=bert-base-s128-b8
COMPARE_SIZE=8192
SUITE_ARGS=(--quick)
case $MODE in
dry-run)
    # A dry run builds on small CI machines: the GPU budget does not apply to it.
    TOTAL_BUDGET_S=2400
    BUILD_CAP_S=2200
    ;;
rehearse)
    # Two host cores emulate the GPU and compile every kernel with NVRTC: caps x3.
    TOTAL_BUDGET_S=1500
    BUILD_CAP_S=600
    CAP_SCALE=3
    ROW_ARGS=(--warmup-ms 0 --min-time-ms 1 --max-samples 2 --timeout-s 60)
    PEAK_CONFIGS=fma # matrix is 8192^3 on a GPU
    GEMM_CONFIG=deepbench-7680x1x2560-NN
    BERT_CONFIG=base-s128-b1
    ATTENTION_CONFIGS=base-s128-b1-fused
    ATTENTION_SHAPES=base-s128-b1
    ATTENTION_BENCH_ARGS=(--reps 1 --rounds 1 --causal on) # the non-causal line: cuda_fake_driver_attention_bench
    RESNET_CONFIG=conv5_x-identity-b1-nhwc
    TRAIN_CONFIGS=base-s128-b1-train,conv3_x-identity-b2-nhwc-train
    COLLECTIVE_SIZES=(--min-bytes 1024 --max-bytes 4096 --factor 4)
    DP_CONFIG=bert-tiny-s32-b2
    COMPARE_SIZE=256
    SUITE_ARGS=(--workload peak --config fma) # every quick row here is already measured: --resume
    ;;
esac

# Rows are appended within this run: start from nothing.
device_check_dirs quick.csv gemm_compare.csv torch.csv

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
        environment_head
        echo "cuda_home: ${CUDA_HOME:-none}"
        if [ -n "${CUDA_HOME:-}" ] && [ -x "$CUDA_HOME/bin/nvcc" ]; then
            echo "nvcc: $("$CUDA_HOME/bin/nvcc" --version | tail -1)"
        fi
        smi_lines nvidia-smi
        echo "python: $(python3 --version 2>&1)"
        timeout 30 python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())' 2>&1 || true
    } >"$OUTDIR/env.txt" 2>&1
}

write_summary() {
    device_check_summary device-check cuda:0 gpu "${GPU_LINE:-}" \
        "REHEARSAL on the fake H100 of the cuda tests: the figures above are meaningless." \
        "NOTE: the CUDA backend was written without a GPU; this run is its first verification."
}

# After the tests in summary.txt: the direct cuBLASLt comparison and the PyTorch reference.
summary_extra() {
    [ -f "$LOGDIR/gemm_compare.log" ] && grep -E 'TFLOP/s|no CUDA' "$LOGDIR/gemm_compare.log" | tail -2 | sed 's/^/gemm_compare: /'
    [ -f "$LOGDIR/torch.log" ] && grep -E 'TFLOP/s|SKIP' "$LOGDIR/torch.log" | sed 's/^/torch: /'
    # fused attention against the composed path (attention_bench) and against SDPA (torch, above);
    # the target is >= 0.9x SDPA's speed (masked SDPA is the like-for-like figure; causal against
    # SDPA is_causal)
    [ -f "$LOGDIR/attention.log" ] && grep -E '^attention |SKIP' "$LOGDIR/attention.log" | sed 's/^/attention_sdpa: /'
    # which library ran the resnet training step's conv backward (cuDNN, or our kernels and why not)
    [ -f "$OUTDIR/quick.csv" ] && grep -oE 'conv backward: [^;"]*' "$OUTDIR/quick.csv" | sort -u | head -3 |
        cut -c1-220 | sed 's/^/resnet train: /'
    return 0
}

# ---------------------------------------------------------------------------------------------
log "accelbench device check: $MODE, output in $OUTDIR"
CUDA_HOME=$(find_cuda_home)
export CUDA_HOME
if [ -n "$CUDA_HOME" ]; then
    # No LD_LIBRARY_PATH for the toolkit: the plugin finds NVRTC and cuBLASLt itself, of a major the
    # driver runs (toolkit, pip wheels, system), and that search is part of what this run checks.
    log "CUDA toolkit: $CUDA_HOME"
else
    log "no CUDA toolkit found (CUDA_HOME, nvcc, /usr/local/cuda): the cuda backend will be skipped"
fi
export ACCEL_CACHE_DIR="$BUILD_DIR/kernel-cache"
GENERATOR="Ninja"
command -v ninja >/dev/null 2>&1 || GENERATOR="Unix Makefiles"
record_environment
JOBS=$(nproc 2>/dev/null || echo 4)

device_check_build

# The GPU steps' environment: nothing for a real GPU; the fake H100 for a rehearsal.
GPU_ENV=()
if [ "$MODE" = rehearse ]; then
    FAKE="$BUILD_DIR/backends/cuda/tests"
    GPU_ENV=(ACCEL_FAKE_CUDA=ok ACCEL_FAKE_CUDA_SMS=2 ACCEL_FAKE_CUDA_L2_KIB=1024
        "ACCEL_CUDA_LIB_DIRS=$FAKE/fake_cublaslt13:$FAKE/fake_nccl:$FAKE/fake_cudnn"
        "LD_LIBRARY_PATH=$FAKE/fake_driver${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
    log "rehearsal: the GPU steps run on the fake H100 ($FAKE/fake_driver)"
fi
# A command prefix (run_step runs commands under timeout, which cannot run shell functions).
GPU=(env "${GPU_ENV[@]}")

# Is there a GPU the CUDA backend can use? Ask the plugin itself, through the runtime.
GPU_COUNT=0
GPU_LINE="no build"
PLUGIN="$BUILD_DIR/lib/accel/libaccel-backend-cuda.so"
PROBE="$BUILD_DIR/bin/cuda_plugin_load_test"
if [ $BUILT = 0 ] && [ -x "$PROBE" ] && [ -f "$PLUGIN" ]; then
    probe_out=$("${GPU[@]}" timeout 30 "$PROBE" "$PLUGIN" any 2>&1)
    GPU_LINE=$(echo "$probe_out" | grep -E '^cuda(:0)?' | tr '\n' ' ')
    GPU_COUNT=$(echo "$probe_out" | sed -n 's/.* devices=\([0-9]*\).*/\1/p' | head -1)
    GPU_COUNT=${GPU_COUNT:-0}
elif [ $BUILT = 0 ]; then
    GPU_LINE="cuda backend not built (no CUDA toolkit headers?)"
fi
log "GPU probe: ${GPU_LINE:-nothing}"

device_check_after_probe "$GPU_COUNT" "CUDA GPU" "GPU path" "$GPU_LINE"

# One GPU row of every workload first, each workload its own capped step, rows appended to
# quick.csv. A hung row is killed by accelbench's watchdog (--timeout-s) and the next one runs.
ACCELBENCH="$BUILD_DIR/bin/accelbench"
BACKEND=cuda
DEVICE_CMD=("${GPU[@]}")
device_check_rows peak 45 --workload peak --config "$PEAK_CONFIGS"
device_check_rows stream 25 --workload stream --config triad
device_check_rows gemm 60 --workload gemm --config "$GEMM_CONFIG"
device_check_rows bert 30 --workload bert_layer --config "$BERT_CONFIG" --dtype bf16 --verbose
device_check_rows attention 40 --workload bert_layer --config "$ATTENTION_CONFIGS" --dtype bf16 --verbose
device_check_rows resnet 30 --workload resnet_block --config "$RESNET_CONFIG" --dtype bf16
device_check_rows train 40 --workload bert_layer,resnet_block --config "$TRAIN_CONFIGS" --dtype bf16
# Collectives over every GPU present, one rank each under mpirun, through NCCL.
run_step rows_collective 30 "$LOGDIR/rows.log" "$ROOT/scripts/lib/device_check_collective.sh" "$GPU_COUNT" \
    "$BUILD_DIR/bin/cuda_nccl_load_test" "${DEVICE_CMD[@]}" -- "$ACCELBENCH" run --backend cuda \
    --workload collective --config all_reduce-oop --dtype bf16 "${COLLECTIVE_SIZES[@]}" "${ROW_ARGS[@]}" \
    --csv "$OUTDIR/quick.csv" --json "$LOGDIR/rows_collective.json" --tag device-check=rows
# Device-to-device copies between the first two GPUs (scripts/lib/device_check_p2p.sh).
run_step rows_p2p 15 "$LOGDIR/rows.log" "$ROOT/scripts/lib/device_check_p2p.sh" "$GPU_COUNT" \
    "${DEVICE_CMD[@]}" -- "$ACCELBENCH" run --workload transfer --config p2p-uni,p2p-latency \
    "${ROW_ARGS[@]}" --csv "$OUTDIR/quick.csv" --json "$LOGDIR/rows_p2p.json" --tag device-check=rows
DC_STEP_LABEL=dp_step run_step rows_dp_step 30 "$LOGDIR/rows.log" "$ROOT/scripts/lib/device_check_collective.sh" \
    "$GPU_COUNT" "$BUILD_DIR/bin/cuda_nccl_load_test" "${DEVICE_CMD[@]}" -- "$ACCELBENCH" run --backend cuda \
    --workload dp_step --config "$DP_CONFIG" --dtype bf16 "${ROW_ARGS[@]}" \
    --csv "$OUTDIR/quick.csv" --json "$LOGDIR/rows_dp_step.json" --tag device-check=rows

# Then the rest, most telling first. The conformance table on the GPU, every op through every op
# library (cuBLASLt and our kernels), every check's line kept (ctest shows output only on failure).
run_step conformance_cuda 60 "$LOGDIR/conformance.log" \
    "${GPU[@]}" "$BUILD_DIR/bin/accel_conformance" --device cuda:0
run_step gemm_compare 40 "$LOGDIR/gemm_compare.log" \
    "${GPU[@]}" "$BUILD_DIR/bin/cublaslt_direct_bench" --size "$COMPARE_SIZE" --reps 10 --rounds 7 --csv "$OUTDIR/gemm_compare.csv"
run_step gemm_compare_fp8 30 "$LOGDIR/gemm_compare.log" \
    "${GPU[@]}" "$BUILD_DIR/bin/cublaslt_direct_bench" --dtype fp8 --size "$COMPARE_SIZE" --reps 10 --rounds 7 --csv "$OUTDIR/gemm_compare.csv"
# The attention op alone: our fused kernel against the composed cuBLASLt + softmax path, same inputs,
# outputs compared (a mismatch fails the step); PyTorch's SDPA on the same shapes is in the torch step.
run_step attention_sdpa 30 "$LOGDIR/attention.log" \
    "${GPU[@]}" "$BUILD_DIR/bin/attention_bench" --device cuda:0 --shapes "$ATTENTION_SHAPES" --dtype bf16 \
    "${ATTENTION_BENCH_ARGS[@]}"
# The quick suite, minus every row already measured above (--resume).
run_step quick_suite 120 "$LOGDIR/suite.log" \
    "${GPU[@]}" "$ACCELBENCH" suite --backend cuda --resume "${ROW_ARGS[@]}" "${SUITE_ARGS[@]}" \
    --csv "$OUTDIR/quick.csv" --json "$LOGDIR/quick.json" --tag device-check=suite
# PyTorch brings its own CUDA libraries: run it without LD_LIBRARY_PATH. A reference, not a check
# of ours: informational.
INFORMATIONAL=1 run_step torch 45 "$LOGDIR/torch.log" \
    env -u LD_LIBRARY_PATH python3 "$ROOT/scripts/torch_gpu_reference.py" --csv "$OUTDIR/torch.csv" \
    --attention "$ATTENTION_SHAPES"
if command -v nvidia-smi >/dev/null 2>&1; then
    timeout 20 nvidia-smi -q -d CLOCK,POWER,PERFORMANCE >"$LOGDIR/nvidia-smi-after.txt" 2>&1 || true
fi
# The GPU-relevant tests (the cuda and shared-kernel tests; the fake driver tests set up their own
# environment), then every other test (conformance on the other devices included) with whatever
# time is left: not GPU-specific, reported, never part of the verdict.
GPU_TESTS='cuda|gpu_kernel'
run_step ctest_gpu 90 "$LOGDIR/ctest.log" \
    ctest --test-dir "$BUILD_DIR" --output-on-failure --timeout 80 -j "$JOBS" -R "$GPU_TESTS"
INFORMATIONAL=1 run_step ctest_rest 120 "$LOGDIR/ctest-rest.log" \
    ctest --test-dir "$BUILD_DIR" --output-on-failure --timeout 60 -j "$JOBS" -E "$GPU_TESTS"
write_summary
pack_logs
[ $FAILED_STEPS = 0 ] && exit 0 || exit 1
