#!/usr/bin/env bash
# Side-by-side accelbench vs PyTorch eager on the CPU, alternating ROUNDS times so both see the same
# machine state (other load drifts over minutes: only ratios measured side by side mean anything).
#   scripts/compare_torch.sh [OUTDIR]      env: BUILD (default build), ROUNDS (3), DEVICE (cpu:0),
#                                          PYTHON (/usr/bin/python3, the one with Debian's torch),
#                                          CASES (all | inference | train), QUICK (1: the quick
#                                          training configs), CSV (one file for both sides),
#                                          MAX_SAMPLES (both sides' --max-samples; default 200)
# Inference cases: bert_layer base-s128-b8 fp32+bf16, resnet_block conv3_x-identity-b32 NCHW and
# NHWC fp32, gemm 2048 fp32+bf16. Training cases (one step: forward, backward, AdamW): bert_layer
# base-s128-b8-train and resnet_block conv3_x-identity-b32-{nchw,nhwc}-train in fp32, tf32, bf16
# and fp16 (QUICK=1: base-s128-b1-train, conv3_x-identity-b2-nhwc-train); a mode the CPU lacks is
# an `unsupported` row on each side, not a timing. Writes OUTDIR/accelbench.csv and
# OUTDIR/pytorch.csv (or both into CSV; same schema, library=pytorch) and prints, per case, the
# median over rounds of each side's median time, each side's share of the measured FMA and GEMM
# roofs, and the speed ratio ours/torch (= torch_ms / ours_ms; > 1 means accelbench is faster) as the median
# of the per-round ratios with their range (scripts/lib/reference_ratios.py).
# shellcheck disable=SC2034  # rounds, device, accelbench, threads are read by lib/compare_common.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/results/compare-torch-$(date -u +%Y%m%dT%H%M%SZ)}
build=${BUILD:-$root/build}
rounds=${ROUNDS:-3}
device=${DEVICE:-cpu:0}
python=${PYTHON:-/usr/bin/python3}
which=${CASES:-all}
quick=${QUICK:-0}
accelbench=$build/bin/accelbench
threads=$(nproc)

prog=compare_torch.sh
# shellcheck source=scripts/lib/compare_common.sh
. "$root/scripts/lib/compare_common.sh"
compare_sampling
if ! "$python" -c 'import torch' 2>/dev/null; then
    echo "compare_torch.sh: $python cannot import torch; install python3-torch or set PYTHON" >&2
    exit 2
fi
case $which in
    all | inference | train) ;;
    *) echo "compare_torch.sh: CASES=$which: use all, inference or train" >&2; exit 2 ;;
esac
case $quick in
    0 | 1) ;;
    *) echo "compare_torch.sh: QUICK=$quick: use 0 or 1" >&2; exit 2 ;;
esac
mkdir -p "$out"
ours=${CSV:-$out/accelbench.csv}
theirs=${CSV:-$out/pytorch.csv}

# workload | config ids | dtypes
cases=()
if [[ $which != train ]]; then
    cases+=(
        "bert_layer|base-s128-b8|fp32,bf16"
        "resnet_block|conv3_x-identity-b32-nchw,conv3_x-identity-b32-nhwc|fp32"
        "gemm|2048|fp32,bf16"
    )
fi
if [[ $which != inference ]]; then
    if [[ $quick == 1 ]]; then
        cases+=(
            "bert_layer|base-s128-b1-train|fp32,tf32,bf16,fp16"
            "resnet_block|conv3_x-identity-b2-nhwc-train|fp32,tf32,bf16,fp16"
        )
    else
        cases+=(
            "bert_layer|base-s128-b8-train|fp32,tf32,bf16,fp16"
            "resnet_block|conv3_x-identity-b32-nchw-train,conv3_x-identity-b32-nhwc-train|fp32,tf32,bf16,fp16"
        )
    fi
fi

compare_rounds "$python" "$root/scripts/torch_reference.py"

"$python" "$root/scripts/lib/reference_ratios.py" --reference pytorch "$ours" "$theirs"
echo "rows: $ours $theirs" >&2
