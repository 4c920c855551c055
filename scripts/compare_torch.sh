#!/usr/bin/env bash
# Side-by-side accelbench vs PyTorch eager on the CPU, alternating ROUNDS times so both see the same
# machine state (other load drifts over minutes: only ratios measured side by side mean anything).
#   scripts/compare_torch.sh [OUTDIR]      env: BUILD (default build), ROUNDS (3), DEVICE (cpu:0),
#                                          PYTHON (/usr/bin/python3, the one with Debian's torch)
# Cases: bert_layer base-s128-b8 fp32+bf16, resnet_block conv3_x-identity-b32 NCHW and NHWC fp32,
# gemm 2048 fp32+bf16. Writes OUTDIR/accelbench.csv, OUTDIR/pytorch.csv (same schema,
# library=pytorch) and prints, per case, the median over rounds of each side's median time and the
# speed ratio ours/torch (= torch_ms / ours_ms; > 1 means accelbench is faster).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/results/compare-torch-$(date -u +%Y%m%dT%H%M%SZ)}
build=${BUILD:-$root/build}
rounds=${ROUNDS:-3}
device=${DEVICE:-cpu:0}
python=${PYTHON:-/usr/bin/python3}
accelbench=$build/bin/accelbench
threads=$(nproc)

if [[ ! -x $accelbench ]]; then
    echo "compare_torch.sh: $accelbench not found; build first (or set BUILD=<build dir>)" >&2
    exit 2
fi
if ! "$python" -c 'import torch' 2>/dev/null; then
    echo "compare_torch.sh: $python cannot import torch; install python3-torch or set PYTHON" >&2
    exit 2
fi
mkdir -p "$out"
ours=$out/accelbench.csv
theirs=$out/pytorch.csv

# workload | config ids | dtypes
cases=(
    "bert_layer|base-s128-b8|fp32,bf16"
    "resnet_block|conv3_x-identity-b32-nchw,conv3_x-identity-b32-nhwc|fp32"
    "gemm|2048|fp32,bf16"
)

for ((r = 1; r <= rounds; r++)); do
    for c in "${cases[@]}"; do
        IFS='|' read -r workload configs dtypes <<<"$c"
        echo "== round $r/$rounds: $workload $configs $dtypes" >&2
        # accelbench exits 1 when a row failed verification; keep going and show it in the summary.
        "$accelbench" run --workload "$workload" --config "$configs" --dtype "$dtypes" \
            --device "$device" --csv "$ours" --tag round="$r" >&2 || echo "accelbench exit $?" >&2
        "$python" "$root/scripts/torch_reference.py" --workload "$workload" --config "$configs" \
            --dtype "$dtypes" --threads "$threads" --csv "$theirs" --tag round="$r" >&2
    done
done

"$python" - "$ours" "$theirs" <<'EOF'
import csv, statistics, sys
from collections import defaultdict

def load(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))

ours, theirs = load(sys.argv[1]), load(sys.argv[2])
times = defaultdict(list)
bad = []
for row in ours + theirs:
    if row["status"] != "ok" or not row["median_ms"]:
        bad.append("%s: %s %s %s %s: %s" % (row["status"], row["library"], row["workload"],
                                           row["config"], row["dtype"], row["notes"]))
        continue
    lib = "pytorch" if row["library"] == "pytorch" else "accelbench:" + row["library"]
    times[(row["workload"], row["config"], row["dtype"], lib)].append(float(row["median_ms"]))

print("%-13s %-27s %-5s %-28s %10s %10s %8s" % ("workload", "config", "dtype", "library",
                                                  "ours_ms", "torch_ms", "ours/torch"))
for (w, c, d, lib), ms in sorted(times.items()):
    if lib == "pytorch":
        continue
    t = times.get((w, c, d, "pytorch"))
    ours_ms = statistics.median(ms)
    if not t:
        print("%-13s %-27s %-5s %-28s %10.2f %10s %8s" % (w, c, d, lib[11:], ours_ms, "-", "-"))
        continue
    torch_ms = statistics.median(t)
    print("%-13s %-27s %-5s %-28s %10.2f %10.2f %7.2fx  (rounds %d/%d)" % (
        w, c, d, lib[11:], ours_ms, torch_ms, torch_ms / ours_ms, len(ms), len(t)))
for b in bad:
    print("not measured: " + b)
EOF
echo "rows: $ours $theirs" >&2
