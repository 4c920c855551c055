#!/usr/bin/env bash
# Side-by-side accelbench vs onnxruntime and OpenVINO on the CPU (the inference runtimes a CPU user
# would serve BERT or ResNet with), alternating ROUNDS times so every side sees the same machine
# state (only ratios measured side by side mean anything on a shared machine).
#   scripts/compare_runtimes.sh [OUTDIR]   env: BUILD (default build), ROUNDS (3), DEVICE (cpu:0),
#                                          VENV (.venv-runtimes: made on first use), PYTHON (the
#                                          interpreter the venv is made from: /usr/bin/python3,
#                                          Debian's, which has torch for the export),
#                                          PACKAGES (pip specs; default the versions measured in
#                                          docs/workloads.md), CSV (one file for every side),
#                                          MAX_SAMPLES (every side's --max-samples; default 200)
# Cases: bert_layer base-s128-b8 and large-s384-b1, resnet_block conv3_x-identity-b32 NCHW and NHWC,
# each fp32 and bf16. The runtimes run scripts/runtime_reference.py: the layers exported to ONNX from
# scripts/torch_reference.py's definition (same shapes, same weight/input distributions), nproc
# threads, the same warm-up and median policy; onnxruntime has no bf16 on the CPU (unsupported rows).
# Writes OUTDIR/accelbench.csv and OUTDIR/runtimes.csv (or both into CSV; same schema,
# library=onnxruntime / openvino) and prints per case the median over rounds of each side's median
# time, each side's share of the measured FMA and GEMM roofs, and the speed ratios runtime_ms /
# ours_ms (> 1: accelbench faster) as the median of the per-round ratios with their range, and the
# bound: the speed a layer running at the GEMM roof would have over the runtime.
# shellcheck disable=SC2034  # rounds, device, accelbench, threads are read by lib/compare_common.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/results/compare-runtimes-$(date -u +%Y%m%dT%H%M%SZ)}
build=${BUILD:-$root/build}
rounds=${ROUNDS:-3}
device=${DEVICE:-cpu:0}
venv=${VENV:-$root/.venv-runtimes}
python=${PYTHON:-/usr/bin/python3}
packages=${PACKAGES:-onnxruntime==1.32.0 openvino==2026.4.1}
accelbench=$build/bin/accelbench
threads=$(nproc)
if [[ ! $rounds =~ ^[1-9][0-9]?$ ]]; then
    echo "compare_runtimes.sh: ROUNDS=$rounds: expected 1-99" >&2
    exit 2
fi
prog=compare_runtimes.sh
# shellcheck source=scripts/lib/compare_common.sh
. "$root/scripts/lib/compare_common.sh"
compare_sampling
if ! "$python" -c 'import torch' 2>/dev/null; then
    echo "compare_runtimes.sh: $python cannot import torch (needed to export the layers); install" \
         "python3-torch or set PYTHON" >&2
    exit 2
fi

# The venv sees the system site-packages (torch, numpy) and adds only the two runtimes.
if [[ ! -x $venv/bin/python ]]; then
    echo "== making $venv ($python -m venv --system-site-packages)" >&2
    "$python" -m venv --system-site-packages "$venv"
fi
if ! "$venv/bin/python" -c 'import onnxruntime, openvino' 2>/dev/null; then
    echo "== pip install $packages into $venv" >&2
    # shellcheck disable=SC2086  # PACKAGES is a list of pip specs
    "$venv/bin/python" -m pip install --disable-pip-version-check $packages >&2
fi

mkdir -p "$out"
ours=${CSV:-$out/accelbench.csv}
theirs=${CSV:-$out/runtimes.csv}
# workload | config ids | dtypes
cases=(
    "bert_layer|base-s128-b8,large-s384-b1|fp32,bf16"
    "resnet_block|conv3_x-identity-b32-nchw,conv3_x-identity-b32-nhwc|fp32,bf16"
)
compare_rounds "$venv/bin/python" "$root/scripts/runtime_reference.py"

"$python" "$root/scripts/lib/reference_ratios.py" --reference onnxruntime,openvino "$ours" "$theirs"
echo "rows: $ours $theirs" >&2
