#!/usr/bin/env python3
"""Side-by-side summary of accelbench rows against reference libraries' rows (compare_torch.sh,
compare_runtimes.sh): per workload, config, dtype and accelbench library, the median over rounds of
each side's median_ms, and per reference its ms and the speed ratio ref_ms / ours_ms (> 1:
accelbench faster).

    reference_ratios.py --reference pytorch[,onnxruntime,...] CSV [CSV...]

Rows whose library is one of the references are theirs; every other row is accelbench's (its
library column names the op library it ran). Rows that are not ok (not run, or failed verification)
are listed once at the end.

Rounds: rows tagged round=N (compare_common.sh tags them, and compare=<invocation>, so that the
files of several invocations can be summarised together) pair up by (invocation, round), and the
speed is the median of the per-round ratios, with their lowest and highest beside it: on a shared machine a
round where one side met a noisy neighbour moves one ratio, not the verdict, and the range shows
how far the rounds agreed. Without pairing rounds the speed is the ratio of the medians.

Roof: accelbench rows of the peak workload's fma config (the measured vector-FMA roof, which
compare_common.sh takes in every round) are not compared; the median of their tflops per dtype is
the roof, and every row of that dtype gets its share of it (tflops / roof, in %) beside its time,
ours and the references' alike. A side near 100% has nothing left to gain from faster arithmetic.

GEMM roof: accelbench rows of the peak workload's matrix config (the device's best GEMM library at
its best size, per dtype; compare_common.sh takes them in every round) give, per round, the best
library's tflops, and their median over rounds is the dtype's GEMM roof: what the layers' GEMMs
could run at if every one ran as fast as that square GEMM (each row's `gemm` share). Beside each
reference's speed, `bound` is that roof over the reference's rate: the speed accelbench would
reach by running the whole layer at the GEMM roof, so a target above it needs a faster GEMM than
any library on the device, not a better layer around it.
Standard library only."""
import argparse
import csv
import statistics
import sys
from collections import defaultdict


def round_of(row):
    """-> (compare id or "", round number), or None for a row without a round tag."""
    tags = {}
    for tag in (row.get("tags") or "").split(";"):
        key, _, value = tag.partition("=")
        tags[key.strip()] = value.strip()
    if not tags.get("round", "").isdigit():
        return None
    return tags.get("compare", ""), int(tags["round"])


def load(paths, refs):
    """-> times {(workload, config, dtype, lib): {round: ms}}, tflops (same keys, lists),
    roofs {dtype: [tflops]}, gemm_roofs {dtype: {round: best tflops}}, bad [line]."""
    times = defaultdict(dict)
    tflops = defaultdict(list)
    roofs = defaultdict(list)
    gemm_roofs = defaultdict(dict)
    bad = []
    for path in dict.fromkeys(paths):  # one shared file may be named twice
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        for i, row in enumerate(rows):
            lib = row["library"] if row["library"] in refs else "accelbench:" + row["library"]
            if row["workload"] == "peak" and row["status"] == "unsupported":
                continue  # a roof library without the dtype (openblas bf16): no case is missing
            if row["status"] != "ok" or not row["median_ms"]:
                # accelbench leaves library empty on a row no library could run
                bad.append("%s: %s %s %s %s: %s" % (row["status"], row["library"] or "accelbench", row["workload"],
                                                   row["config"], row["dtype"], row["notes"]))
                continue
            r = round_of(row)
            if row["workload"] == "peak":
                # an untagged file's matrix rows are one round: its best library is the roof
                r = r if r is not None else "untagged:%s" % path
                if row["config"] == "fma" and row.get("tflops"):
                    roofs[row["dtype"]].append(float(row["tflops"]))
                elif row["config"] == "matrix" and row.get("tflops"):
                    best = gemm_roofs[row["dtype"]]
                    best[r] = max(best.get(r, 0.0), float(row["tflops"]))
                continue
            key = (row["workload"], row["config"], row["dtype"], lib)
            # untagged rows get a key of their own, so they never pair with another side's
            times[key][r if r is not None else "untagged:%s:%d" % (path, i)] = float(row["median_ms"])
            if row.get("tflops"):
                tflops[key].append(float(row["tflops"]))
    return times, tflops, roofs, gemm_roofs, bad


def speed(ours, theirs):
    """-> (speed, lowest, highest or None, how many rounds paired)."""
    paired = [theirs[r] / ours[r] for r in ours if r in theirs and not isinstance(r, str)]
    if paired:
        return statistics.median(paired), min(paired), max(paired), len(paired)
    return statistics.median(theirs.values()) / statistics.median(ours.values()), None, None, 0


def roof_share(tflops, roof):
    return "%3.0f%%" % (100.0 * statistics.median(tflops) / roof) if tflops and roof else "   -"


def bound(tflops, roof):
    """-> the speed over a side of that rate that the whole layer at the GEMM roof would have."""
    return "%.2fx" % (roof / statistics.median(tflops)) if tflops and roof else "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reference", required=True, help="comma-separated reference library names")
    ap.add_argument("csv", nargs="+")
    args = ap.parse_args()
    refs = args.reference.split(",")
    times, tflops, roofs, gemm_roofs, bad = load(args.csv, refs)
    roof = {d: statistics.median(v) for d, v in roofs.items()}
    gemm = {d: statistics.median(v.values()) for d, v in gemm_roofs.items()}

    head = "%-13s %-30s %-5s %-12s %10s %5s %5s" % ("workload", "config", "dtype", "library", "ours_ms", "roof",
                                                    "gemm")
    for r in refs:
        head += " %14s %5s %5s %9s %13s %6s" % (r[:11] + "_ms", "roof", "gemm", "speed", "rounds range", "bound")
    print(head)
    for (w, c, d, lib), ms in sorted(times.items()):
        if lib in refs:
            continue
        ours = statistics.median(ms.values())
        line = "%-13s %-30s %-5s %-12s %10.2f %5s %5s" % (w, c, d, lib[11:], ours,
                                                        roof_share(tflops[(w, c, d, lib)], roof.get(d)),
                                                        roof_share(tflops[(w, c, d, lib)], gemm.get(d)))
        counts = [str(len(ms))]
        for r in refs:
            t = times.get((w, c, d, r))
            if t:
                s, lo, hi, n = speed(ms, t)
                spread = "%5.2f-%-5.2f" % (lo, hi) if n > 1 else "-"
                theirs = tflops[(w, c, d, r)]
                line += " %14.2f %5s %5s %8.2fx %13s %6s" % (statistics.median(t.values()),
                                                             roof_share(theirs, roof.get(d)),
                                                             roof_share(theirs, gemm.get(d)), s, spread,
                                                             bound(theirs, gemm.get(d)))
                counts.append(str(len(t)))
            else:
                line += " %14s %5s %5s %9s %13s %6s" % ("-", "-", "-", "-", "-", "-")
                counts.append("0")
        print(line + "  (rounds %s)" % "/".join(counts))
    for d in sorted(roof):
        print("roof %s: %.1f GFLOP/s, the median of %d measured vector-FMA peaks (peak fma); roof = a "
              "row's share of it" % (d, roof[d] * 1e3, len(roofs[d])))
    for d in sorted(gemm):
        print("gemm %s: %.1f GFLOP/s, the median over %d rounds of the best library's GEMM (peak matrix); "
              "gemm = a row's share of it, bound = the speed at that rate over the reference's"
              % (d, gemm[d] * 1e3, len(gemm_roofs[d])))
    for b in dict.fromkeys(bad):
        print("not compared: " + b)
    return 0


if __name__ == "__main__":
    sys.exit(main())
