#!/usr/bin/env python3
"""accelbench under mpirun on the cpu backend (docs/scale-out.md), one group per ctest test.

    mpi_test.py --accelbench PATH --mpirun PATH --group G --workdir DIR

Groups: two (2 ranks: every collective at two sizes in fp32, the reductions at one size in bf16/fp16, each
verified bit-exact; busbw factors; --resume; opencl buffers through host staging; a corrupted result), four (4 ranks, every collective),
dp (dp_step on 2 ranks: verified, efficiency, a bucket left out of the all-reduce, fp16 overflow
on one rank skipped by both), faults (a rank killed mid-run, ranks with different arguments,
reduce_scatter sizes that do not divide among 3 ranks), single (no mpirun: collective refused with the launch hint, the suite
without it). The allow-run-as-root variables and --oversubscribe exist here only, for CI's root
container on 2 cores; the product never sets them.
"""

import argparse
import csv
import os
import re
import shutil
import subprocess
import sys
import time

TINY = ["--min-time-ms", "1", "--max-samples", "3", "--warmup-ms", "1"]
KINDS = ["all_reduce", "all_gather", "reduce_scatter", "broadcast", "alltoall", "sendrecv"]
FACTORS = {"all_reduce": lambda n: 2 * (n - 1) / n, "all_gather": lambda n: (n - 1) / n,
           "reduce_scatter": lambda n: (n - 1) / n, "alltoall": lambda n: (n - 1) / n,
           "broadcast": lambda n: 1.0, "sendrecv": lambda n: 1.0}

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, flush=True)


def env():
    e = dict(os.environ)
    e.update({"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
              "OMPI_MCA_mpi_yield_when_idle": "1", "ACCEL_BACKENDS": "cpu"})
    return e


def mpirun(args, n, cmd, extra_env=None, timeout=240):
    e = env()
    e.update(extra_env or {})
    full = [args.mpirun, "--oversubscribe", "-np", str(n), args.accelbench] + cmd
    t0 = time.monotonic()
    p = subprocess.run(full, env=e, capture_output=True, text=True, timeout=timeout)
    return p, time.monotonic() - t0


def rows_of(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def run_base(csv_path):
    return ["run", "--workload", "collective", "--device", "cpu:0", "--csv", csv_path, "--quiet"] + TINY


def expect_verified(rows, ranks, what):
    for r in rows:
        ok = r["status"] == "ok" and r["verified"] == "true"
        check(ok, f"{what}: {r['config']} {r['dtype']}: {r['status']} {r['verified']} {r['notes']}")
        check(r["ranks"] == str(ranks) and r["nodes"] == "1" and r["devices_per_node"] == str(ranks),
              f"{what}: {r['config']}: ranks/nodes/devices_per_node {r['ranks']}/{r['nodes']}/"
              f"{r['devices_per_node']}")
        check(r["comm_library"].startswith("mpi "), f"{what}: comm_library {r['comm_library']!r}")
        kind = r["config"].split("-")[0]
        if ok:
            algbw, busbw = float(r["gbps"]), float(r["busbw_gbps"])
            want = algbw * FACTORS[kind](ranks)
            check(abs(busbw - want) <= 1e-5 * want + 1e-12,
                  f"{what}: {r['config']}: busbw {busbw} for algbw {algbw} on {ranks} ranks")


def group_two(args):
    path = os.path.join(args.workdir, "two.csv")
    cmd = run_base(path) + ["--min-bytes", "64", "--max-bytes", "4096", "--factor", "64",
                            "--dtype", "fp32"]
    p, _ = mpirun(args, 2, cmd)
    check(p.returncode == 0, f"2 ranks fp32: exit {p.returncode}: {p.stderr[-2000:]}")
    rows = rows_of(path)
    check(len(rows) == 22, f"2 ranks fp32: {len(rows)} rows, 22 expected")
    check(sorted({r["config"].split("-")[0] for r in rows}) == sorted(KINDS), "every collective")
    check({r["bytes"] for r in rows} == {"64", "4096"}, f"sizes {sorted({r['bytes'] for r in rows})}")
    expect_verified(rows, 2, "2 ranks fp32")

    # --resume: nothing left to do, nothing appended.
    p, _ = mpirun(args, 2, cmd + ["--resume"])
    check(p.returncode == 0, f"resume: exit {p.returncode}: {p.stderr[-1000:]}")
    check(len(rows_of(path)) == 22, f"resume appended rows: {len(rows_of(path))}")

    # bf16 and fp16 sums of small integers are exact too.
    path16 = os.path.join(args.workdir, "two16.csv")
    # (the reductions: the other collectives move bytes whatever their type)
    cmd = run_base(path16) + ["--min-bytes", "512", "--max-bytes", "512", "--dtype", "bf16,fp16",
                              "--config", "all_reduce,reduce_scatter"]
    p, _ = mpirun(args, 2, cmd)
    check(p.returncode == 0, f"2 ranks bf16/fp16: exit {p.returncode}: {p.stderr[-2000:]}")
    rows = rows_of(path16)
    check(len(rows) == 8, f"2 ranks bf16/fp16: {len(rows)} rows")
    expect_verified(rows, 2, "2 ranks bf16/fp16")

    # opencl (PoCL here): device buffers that are not host memory go through host staging.
    pathocl = os.path.join(args.workdir, "opencl.csv")
    cmd = ["run", "--workload", "collective", "--device", "opencl:0", "--csv", pathocl, "--quiet"] + \
        TINY + ["--min-bytes", "4096", "--max-bytes", "4096", "--dtype", "fp32",
                "--config", "all_reduce,reduce_scatter,sendrecv"]
    p, _ = mpirun(args, 2, cmd, {"ACCEL_BACKENDS": "opencl"})
    if p.returncode == 2 and not os.path.exists(pathocl):
        print("skipped the opencl staging check: no opencl device here")
    else:
        check(p.returncode == 0, f"opencl: exit {p.returncode}: {p.stderr[-2000:]}")
        rows = rows_of(pathocl)
        check(len(rows) == 5, f"opencl: {len(rows)} rows, 5 expected")
        expect_verified(rows, 2, "opencl")

    # A wrong element on one rank fails the row, naming the rank.
    pathc = os.path.join(args.workdir, "corrupt.csv")
    p, _ = mpirun(args, 2, run_base(pathc) + ["--config", "all_reduce-oop-1KiB", "--dtype", "fp32"],
                  {"ACCEL_TEST_CORRUPT": "collective"})
    rows = rows_of(pathc)
    check(p.returncode == 1, f"corrupt: exit {p.returncode}")
    check(len(rows) == 1 and rows[0]["status"] == "failed_verification" and
          rows[0]["verified"] == "false" and "rank 1" in rows[0]["notes"],
          f"corrupt row: {rows}")


DP = ["run", "--workload", "dp_step", "--config", "bert-tiny-s32-b2", "--quiet"] + TINY


def group_dp(args):
    # dp_step on 2 cpu ranks: verified against the ranks' averaged reference, the weights equal on
    # both, samples/s over both ranks and a scaling efficiency from the one-rank phase. 50 KiB
    # buckets split the tiny layer's weights into several, all-reduced between backward pieces.
    path = os.path.join(args.workdir, "dp.csv")
    p, took = mpirun(args, 2, DP + ["--device", "cpu:0", "--dtype", "fp32", "--csv", path],
                     {"ACCEL_DP_BUCKET_MIB": "0.05"})
    print(f"dp_step fp32 on 2 ranks: {took:.1f} s")
    check(p.returncode == 0, f"dp_step: exit {p.returncode}: {p.stderr[-2000:]}")
    rows = rows_of(path)
    check(len(rows) == 1, f"dp_step: {len(rows)} rows")
    for r in rows:
        check(r["status"] == "ok" and r["verified"] == "true", f"dp_step: {r['status']} {r['notes']}")
        check(r["ranks"] == "2" and r["comm_library"].startswith("mpi "), f"dp_step: ranks {r['ranks']}")
        check("weights equal on all 2 ranks" in r["notes"], f"dp_step notes: {r['notes']}")
        m = re.search(r"(\d+) gradient buckets", r["notes"])
        check(m is not None and int(m.group(1)) >= 4, f"dp_step: several buckets expected: {r['notes']}")
        # items_per_s counts the samples of both ranks: 2 ranks x batch 2 per step.
        want = 4 * 1000.0 / float(r["median_ms"])
        check(abs(float(r["items_per_s"]) - want) <= 1e-3 * want, f"dp_step items_per_s {r['items_per_s']}, want {want}")
        eff = efficiency(r)
        check(eff is not None and 0 < eff <= 1.5, f"dp_step scaling efficiency {eff}: {r['notes']}")
        check(r["schema_version"] == "4" and "one rank alone" in r["notes"], f"dp_step: {r['notes']}")

    # A wrong all-reduce (one bucket left out of it) fails verification.
    path = os.path.join(args.workdir, "dp-skip.csv")
    p, _ = mpirun(args, 2, DP + ["--device", "cpu:0", "--dtype", "fp32", "--csv", path],
                  {"ACCEL_TEST_CORRUPT": "dp_step"})
    rows = rows_of(path)
    check(p.returncode == 1 and len(rows) == 1 and rows[0]["status"] == "failed_verification" and
          "differ between rank 0 and rank 1" in rows[0]["notes"] and "gradient of" in rows[0]["notes"],
          f"dp_step with a bucket left out: exit {p.returncode}, {[(r['status'], r['notes']) for r in rows]}")

    # fp16: rank 1 alone overflows every step (its loss scale is infinite); its inf reaches rank 0
    # through the all-reduce, so rank 0 skips every step too. fp16 training needs a device with
    # fp16 GEMMs: PoCL here (the CPU's oneDNN has none without AVX512_FP16).
    path = os.path.join(args.workdir, "dp-fp16.csv")
    p, took = mpirun(args, 2, DP + ["--device", "opencl:0", "--dtype", "fp16", "--csv", path],
                     {"ACCEL_BACKENDS": "opencl", "ACCEL_TEST_AMP_SCALE": "inf", "ACCEL_TEST_AMP_SCALE_RANK": "1"})
    print(f"dp_step fp16 on opencl: {took:.1f} s")
    if p.returncode == 2 and not os.path.exists(path):
        print("skipped the fp16 overflow agreement: no opencl device here")
        return
    rows = rows_of(path)
    check(p.returncode == 1 and len(rows) == 1 and rows[0]["status"] == "failed_verification" and
          "rank 0: fp16 loss scaling: all" in rows[0]["notes"] and "on every rank" in rows[0]["notes"],
          f"dp_step fp16, rank 1 overflowing: exit {p.returncode}, {[(r['status'], r['notes']) for r in rows]}")


def efficiency(row):
    return float(row["scaling_efficiency"]) if row.get("scaling_efficiency") else None


def group_four(args):
    path = os.path.join(args.workdir, "four.csv")
    p, _ = mpirun(args, 4, run_base(path) + ["--min-bytes", "512", "--max-bytes", "512",
                                             "--dtype", "fp32"])
    check(p.returncode == 0, f"4 ranks: exit {p.returncode}: {p.stderr[-2000:]}")
    rows = rows_of(path)
    check(len(rows) == 11, f"4 ranks: {len(rows)} rows, 11 expected")
    expect_verified(rows, 4, "4 ranks")


def group_faults(args):
    # A rank killed as its third row starts: the others end non-zero within the watchdog, mpirun
    # names the lost rank, and the two rows measured before stay whole in the CSV.
    path = os.path.join(args.workdir, "lost.csv")
    cmd = run_base(path) + ["--min-bytes", "64", "--max-bytes", "64", "--dtype", "fp32",
                            "--timeout-s", "20"]
    p, took = mpirun(args, 2, cmd, {"ACCEL_TEST_RANK_DIE": "1:2"}, timeout=120)
    check(p.returncode != 0, "lost rank: exit 0")
    check(took < 90, f"lost rank: took {took:.0f} s")
    text = p.stdout + p.stderr
    check("rank 1" in text, f"lost rank: no message names rank 1: {text[-2000:]}")
    rows = rows_of(path)
    check(len(rows) == 2 and all(r["status"] == "ok" for r in rows),
          f"lost rank: rows kept {[(r['config'], r['status']) for r in rows]}")

    # Ranks that run different command lines: a clear error and exit 2, before anything is written.
    path = os.path.join(args.workdir, "differ.csv")
    e = env()
    base = [args.accelbench] + run_base(path) + ["--config", "all_reduce-oop-64B"]
    full = [args.mpirun, "--oversubscribe", "-np", "1"] + base + ["--seed", "1", ":", "-np", "1"] + \
        base + ["--seed", "2"]
    p = subprocess.run(full, env=e, capture_output=True, text=True, timeout=120)
    check(p.returncode == 2, f"differing arguments: exit {p.returncode}")
    check("disagree on their arguments" in p.stderr, f"differing arguments: {p.stderr[-1000:]}")
    check(not os.path.exists(path), "differing arguments: a CSV was written")

    # reduce_scatter of 16 B = 4 fp32 elements cannot be split among 3 ranks: refused with the
    # reason (documented: not padded); all_reduce of the same size runs.
    path = os.path.join(args.workdir, "three.csv")
    p, _ = mpirun(args, 3, run_base(path) + ["--config", "reduce_scatter-oop-16B,all_reduce-oop-16B",
                                             "--dtype", "fp32"])
    check(p.returncode == 0, f"3 ranks: exit {p.returncode}: {p.stderr[-1000:]}")
    rows = {r["config"]: r for r in rows_of(path)}
    rs = rows.get("reduce_scatter-oop-16B", {})
    check(rs.get("status") == "unsupported" and "do not divide among 3 ranks" in rs.get("notes", ""),
          f"reduce_scatter on 3 ranks: {rs}")
    check(rows.get("all_reduce-oop-16B", {}).get("verified") == "true", "all_reduce on 3 ranks")


def group_single(args):
    # Without mpirun: refused with the way to launch it; the suite plans no collective row.
    e = env()
    p = subprocess.run([args.accelbench, "run", "--workload", "collective", "--device", "cpu:0",
                        "--csv", os.path.join(args.workdir, "single.csv")],
                       env=e, capture_output=True, text=True, timeout=120)
    check(p.returncode == 2, f"no mpirun: exit {p.returncode}")
    check("mpirun -np 2 accelbench run --workload collective" in p.stderr, f"hint: {p.stderr}")
    if args.expect_no_mpi:
        check("built without MPI" in p.stderr, f"no-MPI build message: {p.stderr}")
    p = subprocess.run([args.accelbench, "suite", "--device", "cpu:0", "--dry-run"], env=e,
                       capture_output=True, text=True, timeout=120)
    check(p.returncode == 0 and "collective" not in p.stdout and "dp_step" not in p.stdout,
          f"suite: {p.returncode} {p.stdout[-500:]}")
    p = subprocess.run([args.accelbench, "run", "--workload", "dp_step", "--device", "cpu:0",
                        "--csv", os.path.join(args.workdir, "single-dp.csv")],
                       env=e, capture_output=True, text=True, timeout=120)
    check(p.returncode == 2 and "mpirun -np 2 accelbench run --workload dp_step" in p.stderr,
          f"dp_step without mpirun: exit {p.returncode}: {p.stderr}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--accelbench", required=True)
    ap.add_argument("--mpirun", default="")
    ap.add_argument("--group", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--expect-no-mpi", action="store_true")
    args = ap.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(args.workdir)
    {"two": group_two, "dp": group_dp, "four": group_four, "faults": group_faults, "single": group_single}[args.group](args)
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print("passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
