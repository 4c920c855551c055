#!/usr/bin/env python3
"""Says whether two accelbench results CSVs hold the same rows with the same statuses.

    scripts/compare_rows.py [--ignore-library] BEFORE.csv AFTER.csv

Made for "behaviour is unchanged": run `accelbench suite --quick` before and after a change and
compare the two files. A row is keyed by (backend, device_name, workload, config, dtype, library);
its value is its status (ok, failed_verification, error, unsupported, skipped). Timings, notes and
every other column are not compared: they differ between any two runs.

Both files may be of schema_version 1 to 4, alone or mixed (the key and status columns are in
every version). A key that stands more than once in one file (rows of several runs, or a row that
--resume measured again) counts with its last row, the one a reader of the file takes as current;
the report says how many there were.

Prints the rows only in BEFORE, only in AFTER, and those whose status changed, one line each, then
a summary line. Exit status 0 when the files agree, 1 when they differ, 2 on a file that cannot be
read or is not an accelbench results CSV. --ignore-library drops library from the key (for files
from builds that offer different op libraries); rows that then share a key count with the last.
Standard library only.
"""

import argparse
import csv
import sys

KEY = ("backend", "device_name", "workload", "config", "dtype", "library")
SCHEMA_VERSIONS = ("1", "2", "3", "4")


class BadFile(Exception):
    pass


def load(path, key_columns):
    """{key: (status, line)} of the file's last row per key, the row count, repeated keys."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            missing = set(key_columns + ("schema_version", "status")) - set(reader.fieldnames or ())
            if missing:
                raise BadFile(f"{path}: not an accelbench results CSV (no column "
                              f"{', '.join(sorted(missing))})")
            rows, count, repeated = {}, 0, 0
            for row in reader:
                if None in row or any(v is None for v in row.values()):
                    raise BadFile(f"{path}: line {reader.line_num}: {len(reader.fieldnames)} columns "
                                  f"expected")
                version = row["schema_version"]
                if version not in SCHEMA_VERSIONS:
                    raise BadFile(f"{path}: line {reader.line_num}: schema_version '{version}' "
                                  f"(known: {', '.join(SCHEMA_VERSIONS)})")
                key = tuple(row[c] for c in key_columns)
                repeated += key in rows
                rows[key] = (row["status"], reader.line_num)
                count += 1
            return rows, count, repeated
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise BadFile(f"{path}: {e}") from e


def describe(key, key_columns):
    return " ".join(f"{c}={v if v else '-'}" for c, v in zip(key_columns, key))


def main(argv):
    p = argparse.ArgumentParser(description="Compare the rows and statuses of two accelbench CSVs.")
    p.add_argument("--ignore-library", action="store_true",
                   help="leave library out of the key")
    p.add_argument("before")
    p.add_argument("after")
    a = p.parse_args(argv)
    key_columns = tuple(c for c in KEY if not (a.ignore_library and c == "library"))
    try:
        before, n_before, rep_before = load(a.before, key_columns)
        after, n_after, rep_after = load(a.after, key_columns)
    except BadFile as e:
        print(f"compare_rows: {e}", file=sys.stderr)
        return 2

    lines = []
    for key in sorted(before.keys() - after.keys()):
        lines.append(f"  only in {a.before} (line {before[key][1]}): {describe(key, key_columns)} "
                     f"[{before[key][0]}]")
    for key in sorted(after.keys() - before.keys()):
        lines.append(f"  only in {a.after} (line {after[key][1]}): {describe(key, key_columns)} "
                     f"[{after[key][0]}]")
    for key in sorted(before.keys() & after.keys()):
        (was, line_a), (now, line_b) = before[key], after[key]
        if was != now:
            lines.append(f"  status {was} -> {now}: {describe(key, key_columns)} "
                         f"(lines {line_a} and {line_b})")

    for path, rep in ((a.before, rep_before), (a.after, rep_after)):
        if rep:
            print(f"note: {path} has {rep} row(s) whose key stands earlier in the file: the last "
                  f"row of each key counts")
    head = (f"{a.before}: {len(before)} keys ({n_before} rows); "
            f"{a.after}: {len(after)} keys ({n_after} rows)")
    if lines:
        print(f"DIFFERENT: {head}; {len(lines)} difference(s) by "
              f"({', '.join(key_columns)}) -> status:")
        print("\n".join(lines))
        return 1
    print(f"same rows and statuses: {head}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
