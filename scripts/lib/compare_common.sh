# shellcheck shell=bash disable=SC2154  # the callers set the variables this reads
# Shared by compare_torch.sh and compare_runtimes.sh (sourced): the sampling options both sides
# get, and the alternating rounds of accelbench and a reference script over the `cases` array
# ("workload|config ids|dtypes"). Reads the caller's rounds, device, accelbench, ours, theirs,
# threads; prog is the caller's name for messages.

# MAX_SAMPLES=N -> sampling (accelbench) and ref_sampling (the reference script, which is told
# accelbench's floor of min(10, N) samples too).
compare_sampling() {
    sampling=()
    ref_sampling=()
    if [[ -n ${MAX_SAMPLES:-} ]]; then
        if [[ ! $MAX_SAMPLES =~ ^[1-9][0-9]{0,5}$ ]]; then
            echo "$prog: MAX_SAMPLES=$MAX_SAMPLES: expected a positive whole number" >&2
            exit 2
        fi
        sampling=(--max-samples "$MAX_SAMPLES")
        ref_sampling=(--max-samples "$MAX_SAMPLES" --min-samples $((MAX_SAMPLES < 10 ? MAX_SAMPLES : 10)))
    fi
    if [[ ! -x $accelbench ]]; then
        echo "$prog: $accelbench not found; build first (or set BUILD=<build dir>)" >&2
        exit 2
    fi
}

# compare_rounds REFERENCE_COMMAND...: ROUNDS alternations, each case on both sides back to back,
# ours first in odd rounds and theirs first in even ones (a machine that speeds up or slows down
# over a round favours neither side), and at the start of every round the vector-FMA roof (peak fma,
# fp32) and the GEMM roof (peak matrix, every library, in the cases' dtypes), so the summary can say
# how near each side runs to what the cores, and the best GEMM on them, can do. Every row
# is tagged round=N and compare=<this invocation>, so rows pair by round within one invocation
# even when several invocations' files are summarised together. A side that fails a case is
# reported and the rounds go on: the summary lists what is missing.
compare_rounds() {
    local r c workload configs dtypes side
    local id all_dtypes
    id=$(date -u +%Y%m%dT%H%M%SZ)-$$
    all_dtypes=$(for c in "${cases[@]}"; do IFS='|' read -r _ _ dtypes <<<"$c"; tr , '\n' <<<"$dtypes"; done |
        sort -u | paste -sd,)
    for ((r = 1; r <= rounds; r++)); do
        "$accelbench" run --workload peak --config fma --dtype fp32 --device "$device" --csv "$ours" \
            --tag round="$r" --tag compare="$id" --quiet >&2 || echo "accelbench (roof) exit $?" >&2
        "$accelbench" run --workload peak --config matrix --dtype "$all_dtypes" --device "$device" --csv "$ours" \
            --tag round="$r" --tag compare="$id" --quiet >&2 || echo "accelbench (GEMM roof) exit $?" >&2
        for c in "${cases[@]}"; do
            IFS='|' read -r workload configs dtypes <<<"$c"
            echo "== round $r/$rounds: $workload $configs $dtypes" >&2
            for side in $( ((r % 2)) && echo "ours theirs" || echo "theirs ours"); do
                if [[ $side == ours ]]; then
                    # accelbench exits 1 when a row failed verification; keep going and show it in
                    # the summary.
                    "$accelbench" run --workload "$workload" --config "$configs" --dtype "$dtypes" \
                        --device "$device" --csv "$ours" --tag round="$r" --tag compare="$id" "${sampling[@]}" >&2 ||
                        echo "accelbench exit $?" >&2
                else
                    "$@" --workload "$workload" --config "$configs" --dtype "$dtypes" \
                        --threads "$threads" --csv "$theirs" --tag round="$r" --tag compare="$id" "${ref_sampling[@]}" >&2 ||
                        echo "$(basename "$2") exit $?" >&2
                fi
            done
        done
    done
}
