#!/usr/bin/env python3
"""Side-by-side summary of accelbench rows against reference libraries' rows (compare_torch.sh,
compare_runtimes.sh): per workload, config, dtype and accelbench library, the median over rounds of
each side's median_ms, and per reference its ms and the speed ratio ref_ms / ours_ms (> 1:
accelbench faster).

    reference_ratios.py --reference pytorch[,onnxruntime,...] CSV [CSV...]

Rows whose library is one of the references are theirs; every other row is accelbench's (its
library column names the op library it ran). Rows that are not ok (not run, or failed verification) are listed once at the end.
Standard library only."""
import argparse
import csv
import statistics
import sys
from collections import defaultdict


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reference", required=True, help="comma-separated reference library names")
    ap.add_argument("csv", nargs="+")
    args = ap.parse_args()
    refs = args.reference.split(",")
    rows = []
    for path in dict.fromkeys(args.csv):  # one shared file may be named twice
        with open(path, newline="") as f:
            rows += list(csv.DictReader(f))
    times = defaultdict(list)
    bad = []
    for row in rows:
        lib = row["library"] if row["library"] in refs else "accelbench:" + row["library"]
        if row["status"] != "ok" or not row["median_ms"]:
            # accelbench leaves library empty on a row no library could run
            bad.append("%s: %s %s %s %s: %s" % (row["status"], row["library"] or "accelbench", row["workload"],
                                               row["config"], row["dtype"], row["notes"]))
            continue
        times[(row["workload"], row["config"], row["dtype"], lib)].append(float(row["median_ms"]))

    head = "%-13s %-30s %-5s %-12s %10s" % ("workload", "config", "dtype", "library", "ours_ms")
    for r in refs:
        head += " %14s %9s" % (r[:11] + "_ms", "speed")
    print(head)
    for (w, c, d, lib), ms in sorted(times.items()):
        if lib in refs:
            continue
        ours = statistics.median(ms)
        line = "%-13s %-30s %-5s %-12s %10.2f" % (w, c, d, lib[11:], ours)
        counts = [str(len(ms))]
        for r in refs:
            t = times.get((w, c, d, r))
            if t:
                ref = statistics.median(t)
                line += " %14.2f %8.2fx" % (ref, ref / ours)
                counts.append(str(len(t)))
            else:
                line += " %14s %9s" % ("-", "-")
                counts.append("0")
        print(line + "  (rounds %s)" % "/".join(counts))
    for b in dict.fromkeys(bad):
        print("not compared: " + b)
    return 0


if __name__ == "__main__":
    sys.exit(main())
