#!/usr/bin/env python3
"""The training steps through the real accelbench binary (python3 standard library only).

    train_test.py --accelbench PATH --workdir DIR

On the cpu backend: the quick training configs of bert_layer and resnet_block verify in every
precision mode the CPU offers, and are `unsupported` with the op named where it offers none; a
perturbed gradient fails verification; fp16 loss scaling that overflows every step is reported
as a failed row, never as a fast one (ACCEL_TEST_AMP_SCALE, docs/cli.md), and one that overflows
for a few steps recovers by halving its scale. The fp16 part needs a device that runs fp16
training (CPUs with AVX512_FP16 or AMX-FP16, GPUs); elsewhere it says so and checks the refusal.
"""

import argparse
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_test import TINY, Bench, Failure, check, read_csv  # noqa: E402

CONFIGS = {"bert_layer": "base-s128-b1-train", "resnet_block": "conv3_x-identity-b2-nhwc-train"}
# ACCEL_SMALL=1 (the sanitizer CI job): fp32 rows and one perturbed gradient only; the other modes
# run the same code paths with other element types, which conformance sanitizes op by op.
SMALL = os.environ.get("ACCEL_SMALL", "0") not in ("", "0")
MODES = ("fp32",) if SMALL else ("fp32", "tf32", "bf16", "fp16")
ITEMS = {"bert_layer": ("sample", 1), "resnet_block": ("sample", 2)}  # training rows count samples


def run_rows(b, name, workload, dtype, env=None, extra=()):
    rc, out, err = b.run("run", "--workload", workload, "--config", CONFIGS[workload], "--backend", "cpu",
                         "--dtype", dtype, *(extra or TINY), "--csv", name, env=env, timeout=600)
    rows = read_csv(b.path(name))
    check(len(rows) == 1, f"{workload} {dtype}: {len(rows)} rows, exit {rc}: {err}")
    return rc, rows[0]


def check_modes(b):
    """Every precision mode: verified, or refused with the op that is missing."""
    fp16_ok = {}
    for workload in CONFIGS:
        for dtype in MODES:
            rc, row = run_rows(b, f"{workload}-{dtype}.csv", workload, dtype)
            status, notes = row["status"], row["notes"]
            if dtype == "fp32":
                check(status == "ok" and row["verified"] == "true", f"{workload} fp32: {status}: {notes}")
            check(status in ("ok", "unsupported"), f"{workload} {dtype}: {status}: {notes}")
            if status == "unsupported":
                check(rc == 0 and "planning " in notes, f"{workload} {dtype} refusal names no op: {notes}")
                continue
            check(rc == 0 and row["verified"] == "true", f"{workload} {dtype}: exit {rc}, {row['verified']}")
            check("training step" in notes, f"{workload} {dtype} notes: {notes}")
            item, per_run = ITEMS[workload]
            check(row["item"] == item, f"{workload} item {row['item']}")
            # items_per_s counts samples (sequences, images), one step per run.
            want = per_run * 1000.0 / float(row["median_ms"])
            got = float(row["items_per_s"])
            check(abs(got - want) <= 1e-3 * want, f"{workload} {dtype}: items_per_s {got}, want {want}")
            if dtype == "fp16":
                fp16_ok[workload] = True
    return fp16_ok


def check_corrupt(b):
    for workload in (["resnet_block"] if SMALL else CONFIGS):
        rc, row = run_rows(b, f"{workload}-corrupt.csv", workload, "fp32", env={"ACCEL_TEST_CORRUPT": workload})
        check(rc == 1 and row["status"] == "failed_verification" and "gradient" in row["notes"],
              f"{workload} with a perturbed gradient: exit {rc}, {row['status']}: {row['notes']}")


def check_overflow(b, fp16_ok):
    for workload in CONFIGS:
        # Without loss scaling the hook changes nothing.
        rc, row = run_rows(b, f"{workload}-fp32-scale.csv", workload, "fp32", env={"ACCEL_TEST_AMP_SCALE": "inf"})
        check(rc == 0 and row["status"] == "ok", f"{workload} fp32 with the scale hook: {row['status']}: {row['notes']}")
        if not fp16_ok.get(workload):
            print(f"{workload}: no fp16 training on this CPU; the overflow path is left to the loss-scaling "
                  "conformance cases (tests/conformance/conf_train.c)")
            continue
        rc, row = run_rows(b, f"{workload}-fp16-inf.csv", workload, "fp16", env={"ACCEL_TEST_AMP_SCALE": "inf"})
        check(rc == 1 and row["status"] == "failed_verification" and "overflowed" in row["notes"],
              f"{workload} fp16 overflowing every step: exit {rc}, {row['status']}: {row['notes']}")
        # 2^24 overflows fp16 gradients for the first several steps (the default 2^16 does not): the
        # later steps train.
        rc, row = run_rows(b, f"{workload}-fp16-huge.csv", workload, "fp16",
                           env={"ACCEL_TEST_AMP_SCALE": str(2.0 ** 24)},
                           extra=("--min-time-ms", "1", "--max-samples", "60", "--warmup-ms", "0"))
        check(rc == 0 and row["status"] == "ok" and "skipped (overflow)" in row["notes"],
              f"{workload} fp16 recovering from overflow: exit {rc}, {row['status']}: {row['notes']}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--accelbench", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    shutil.rmtree(a.workdir, ignore_errors=True)
    os.makedirs(a.workdir)
    b = Bench(os.path.abspath(a.accelbench), a.workdir)
    try:
        fp16_ok = check_modes(b)
        check_corrupt(b)
        if not SMALL:
            check_overflow(b, fp16_ok)
    except Failure as e:
        print(f"FAIL: {e}")
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
