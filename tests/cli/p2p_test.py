#!/usr/bin/env python3
"""`transfer p2p` end to end through the real accelbench binary (python3 standard library only).

    p2p_test.py --accelbench PATH --mode {null,cuda} --workdir DIR

null: three null-backend devices (host memory, no peer slots): a row per ordered pair, link
host-staged, verified, the pairs run one at a time (ACCEL_NULL_TRACE), a single device says "no
pair", a corrupted copy fails verification. cuda: the fake libcuda with 3 devices, peer groups
{0,1} and {2} and NVLink 0-1 from the fake NVML (the environment comes from ctest): link and peer
access per pair as the fakes say, both directions of p2p-bidir checked.
"""

import argparse
import csv
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_test import TINY, Bench, Failure, check, intervals  # noqa: E402

def rows_of(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def pair_fields(row):
    """(peer_device, link, peer_access): the schema 4 columns."""
    return row["peer_device"], row["link"], row["peer_access"]


def device_of(row):
    return f"{row['backend']}:{row['device_index']}"


def run_pairs(b, name, args, env=None):
    csv_path = b.path(name + ".csv")
    rc, out, err = b.run("run", "--workload", "transfer", *args, *TINY, "--csv", csv_path, env=env)
    return rc, out, err, (rows_of(csv_path) if os.path.exists(csv_path) else [])


def mode_null(b):
    env = {"ACCEL_BACKENDS": "null", "ACCEL_NULL_DEVICES": "3", "ACCEL_NULL_TRACE": b.path("trace")}
    # Two devices first, then all three with --resume: a pair's row is done for its peer only, so
    # the 4 pairs with null:2 still run.
    rc, out, err, rows = run_pairs(b, "null", ["--config", "p2p-uni", "--device", "null:0", "--device",
                                               "null:1"], env)
    check(rc == 0 and len(rows) == 2, f"two devices: {rc} {err!r}")
    os.remove(b.path("trace"))
    rc, out, err, rows = run_pairs(b, "null", ["--config", "p2p-uni", "--device", "null:all", "--resume"], env)
    check(rc == 0 and "2 of 6 rows already ok" in err, f"null run with --resume: {rc} {err!r}")
    got = sorted((device_of(r), pair_fields(r)[0], r["config"]) for r in rows)
    want = sorted((f"null:{a}", f"null:{c}", "p2p-uni") for a in range(3) for c in range(3) if a != c)
    check(got == want, f"rows per ordered pair: {got}")
    for r in rows:
        peer, link, access = pair_fields(r)
        check(r["status"] == "ok" and r["verified"] == "true", f"{device_of(r)}->{peer}: {r['status']} {r['notes']!r}")
        check(link == "host-staged" and access == "no", f"link {link} access {access}")
        check(r["library"] == "host-staged" and float(r["gbps"]) > 0, f"library {r['library']} gbps {r['gbps']}")
    # The pairs' workers ran one at a time: never more than the pair's two devices open at once
    # (the plan's own brief opens are one device each).
    spans = intervals(b.path("trace"))
    events = sorted([(s, 1) for s, _, _ in spans] + [(e, -1) for _, e, _ in spans], key=lambda t: (t[0], t[1]))
    open_now = most = 0
    for _, step in events:
        open_now += step
        most = max(most, open_now)
    check(most == 2, f"at most {most} devices open at once during the pairs (want 2)")

    # One device: the row says why there is no pair.
    rc, out, err, rows = run_pairs(b, "single", ["--config", "p2p-uni", "--device", "null:0"], env)
    check(rc == 0 and len(rows) == 1 and rows[0]["status"] == "unsupported" and
          "one device: no pair" in rows[0]["notes"], f"single device: {rc} {rows}")

    # A copy that did not arrive fails verification (the corrupting hook of the workload).
    rc, out, err, rows = run_pairs(b, "corrupt", ["--config", "p2p-uni", "--device", "null:0",
                                                  "--device", "null:1"],
                                   dict(env, ACCEL_TEST_CORRUPT="transfer"))
    check(rc == 1 and len(rows) == 2 and all(r["status"] == "failed_verification" for r in rows),
          f"corrupted: {rc} {[(r['status'], r['notes']) for r in rows]}")
    check(all("null:1: 1 of" in r["notes"] or "null:0: 1 of" in r["notes"] for r in rows),
          f"the failing side is named: {[r['notes'] for r in rows]}")

    # --dry-run names each pair.
    rc, out, err = b.run("run", "--workload", "transfer", "--config", "p2p-bidir", "--device", "null:all",
                         "--dry-run", env=env)
    check(rc == 0 and out.count("-> null:") == 6, f"dry run: {out!r}")


def mode_cuda(b):
    rc, out, err, rows = run_pairs(b, "cuda", ["--config", "p2p-uni,p2p-latency", "--device", "cuda:all"])
    check(rc == 0, f"cuda run: {rc} {err!r}")
    check(len(rows) == 12, f"{len(rows)} rows, want 12 (6 ordered pairs x 2 configs)")
    for r in rows:
        src, (peer, link, access) = device_of(r), pair_fields(r)
        check(r["status"] == "ok" and r["verified"] == "true", f"{src}->{peer}: {r['status']} {r['notes']!r}")
        nvlinked = {src, peer} == {"cuda:0", "cuda:1"}
        want = ("nvlink", "yes") if nvlinked else ("pcie", "no")
        check((link, access) == want, f"{src}->{peer}: link {link} access {access}, want {want}")
        check(r["library"] == "buffer_copy_peer", f"library {r['library']}")
    rc, out, err, rows = run_pairs(b, "bidir", ["--config", "p2p-bidir", "--device", "cuda:0",
                                                "--device", "cuda:1"])
    check(rc == 0 and len(rows) == 2 and all(r["status"] == "ok" for r in rows),
          f"bidir: {rc} {err!r} {[(r['status'], r['notes']) for r in rows]}")
    check(all("both ways" in r["notes"] and float(r["bytes"]) == 2 * 32 * 2**20 for r in rows),
          f"bidir bytes/notes: {[(r['bytes'], r['notes']) for r in rows]}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--accelbench", required=True)
    ap.add_argument("--mode", required=True, choices=("null", "cuda"))
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    shutil.rmtree(a.workdir, ignore_errors=True)
    os.makedirs(a.workdir)
    try:
        (mode_null if a.mode == "null" else mode_cuda)(Bench(os.path.abspath(a.accelbench), a.workdir))
    except Failure as e:
        print(f"FAIL [p2p {a.mode}]: {e}", file=sys.stderr)
        return 1
    print(f"ok [p2p {a.mode}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
