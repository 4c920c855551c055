#!/usr/bin/env python3
"""Fails when a row of an accelbench results CSV beats the roof that must bound it.

    scripts/check_roofs.py [--error PCT] CSV [CSV...]

pct_peak is measured against a roof that bounds every row (schema_version 2 and later: the datasheet peak
of a GPU, the theoretical cores x clock x FLOPs/cycle peak of a CPU). A row with status ok whose
pct_peak exceeds 100 + PCT (the documented measurement error, default 5: the clock a CPU roof is
computed from is measured once, at device open) is a defect in the roof or the measurement, not a
result. The check also recomputes pct_peak from tflops/peak_tflops (gbps/peak_gbps) so a
mislabelled figure cannot pass. Rows whose roof is measured (peak_source measured:..., written
by schema_version 1, where pct_peak could exceed 100) are counted as not checked.

Prints one line per offending row, then the highest pct_peak per workload; exit status 0 when
none exceeds, 1 when some do, 2 on unreadable input. Standard library only.
"""

import argparse
import csv
import math
import sys

DEFAULT_ERROR_PCT = 5.0


def number(text):
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def check_file(path, error_pct, over, best, counts):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        needed = {"schema_version", "backend", "device_index", "workload", "config", "dtype", "library",
                  "status", "tflops", "gbps", "peak_tflops", "peak_source", "pct_peak"}
        missing = needed - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: not an accelbench results CSV (missing {', '.join(sorted(missing))})")
        for row in reader:
            line = reader.line_num
            if row.get("status") != "ok":
                continue
            pct = number(row.get("pct_peak"))
            if pct is None:
                continue
            source = row.get("peak_source") or ""
            if source.startswith("measured:"):
                counts["not_checked"] += 1
                continue
            counts["checked"] += 1
            what = (f"{path} line {line}: {row['backend']}:{row['device_index']} {row['workload']} "
                    f"{row['config']} {row['dtype']} {row['library']}")
            bandwidth = number(row.get("peak_tflops")) is None and number(row.get("peak_gbps")) is not None
            achieved = number(row.get("gbps" if bandwidth else "tflops"))
            roof = number(row.get("peak_gbps" if bandwidth else "peak_tflops"))
            if achieved is not None and roof:
                recomputed = 100.0 * achieved / roof
                if abs(recomputed - pct) > 1e-3 * max(1.0, abs(pct)):
                    over.append(f"{what}: pct_peak {pct:g} but {achieved:g} / {roof:g} is {recomputed:.4g}%")
                    pct = max(pct, recomputed)
            key = row["workload"]
            if key not in best or pct > best[key][0]:
                best[key] = (pct, f"{row['backend']} {row['config']} {row['dtype']} {row['library']}", source)
            if pct > 100.0 + error_pct:
                over.append(f"{what}: pct_peak {pct:.4g}% > {100 + error_pct:g}% of {source}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="check_roofs.py", description=__doc__.split("\n\n")[1])
    parser.add_argument("csv", nargs="+", help="results CSV(s)")
    parser.add_argument("--error", type=float, default=DEFAULT_ERROR_PCT, metavar="PCT",
                        help=f"allowed measurement error in percentage points (default {DEFAULT_ERROR_PCT:g})")
    args = parser.parse_args(argv)
    over, best, counts = [], {}, {"checked": 0, "not_checked": 0}
    try:
        for path in args.csv:
            check_file(path, args.error, over, best, counts)
    except (OSError, ValueError, csv.Error, UnicodeDecodeError) as exc:
        print(f"check_roofs.py: error: {exc}", file=sys.stderr)
        return 2
    for line in over:
        print(f"OVER ROOF {line}")
    for workload in sorted(best):
        pct, where, source = best[workload]
        print(f"highest pct_peak {workload}: {pct:.4g}% ({where}; {source})")
    print(f"check_roofs.py: {counts['checked']} ok rows checked, {len(over)} over the roof "
          f"(+{args.error:g}% allowed), {counts['not_checked']} against measured roofs not checked")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
