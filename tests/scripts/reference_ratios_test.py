#!/usr/bin/env python3
"""scripts/lib/reference_ratios.py (the summary of compare_torch.sh / compare_runtimes.sh): rounds
pair up by their round tag (within one invocation's compare tag) and the speed is the median of the per-round ratios with their range
(one noisy round moves the range, not the verdict); untagged rows fall back to the ratio of the
medians; peak fma rows are the roof, not a compared case, and each row shows its share of it; peak
matrix rows are the GEMM roof (the best library per round, the median over rounds), with each row's
share of it and each reference's bound; rows that are not ok are listed, not compared."""

import csv
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "..", "..", "scripts", "lib", "reference_ratios.py")
FIELDS = ["schema_version", "tags", "library", "workload", "config", "dtype", "median_ms", "tflops",
          "status", "notes"]


def write(folder, name, rows):
    path = os.path.join(folder, name)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS, restval="")
        w.writeheader()
        for tags, library, workload, config, dtype, ms, tflops, status in rows:
            w.writerow({"schema_version": "4", "tags": tags, "library": library, "workload": workload,
                        "config": config, "dtype": dtype, "median_ms": ms, "tflops": tflops,
                        "status": status, "notes": "n"})
    return path


def run(*paths, refs="openvino"):
    p = subprocess.run([sys.executable, SCRIPT, "--reference", refs, *paths], capture_output=True,
                       text=True)
    if p.returncode != 0:
        raise AssertionError(p.stderr)
    return p.stdout.splitlines()


def line_of(lines, config):
    hits = [ln for ln in lines[1:] if ln.split()[1] == config and not ln.startswith(("not compared", "roof"))]
    assert len(hits) == 1, lines
    return hits[0].split()


class ReferenceRatios(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def test_rounds_pair_and_median_of_ratios(self):
        # Round 2 met a noisy neighbour on our side only: the ratio of the medians would read
        # 1.5 / 1.5 = 1.00x-ish, the per-round ratios are 1.2, 0.6, 1.25 -> median 1.20.
        ours = write(self.dir, "ours.csv", [
            ("round=1", "onednn", "bert_layer", "base", "fp32", "10", "0.24", "ok"),
            ("round=2", "onednn", "bert_layer", "base", "fp32", "20", "0.12", "ok"),
            ("x=y;round=3", "onednn", "bert_layer", "base", "fp32", "12", "0.20", "ok"),
            ("round=1", "", "peak", "fma", "fp32", "1", "0.30", "ok"),
            ("round=2", "", "peak", "fma", "fp32", "1", "0.32", "ok"),
            ("round=3", "", "peak", "fma", "fp32", "1", "0.28", "ok"),
        ])
        theirs = write(self.dir, "theirs.csv", [
            ("round=1", "openvino", "bert_layer", "base", "fp32", "12", "0.20", "ok"),
            ("round=2", "openvino", "bert_layer", "base", "fp32", "12", "0.20", "ok"),
            ("round=3", "openvino", "bert_layer", "base", "fp32", "15", "0.16", "ok"),
        ])
        lines = run(ours, theirs)
        f = line_of(lines, "base")
        self.assertEqual(f[4], "12.00")  # our median ms
        self.assertEqual(f[5], "67%")    # median 0.20 of the 0.30 roof
        self.assertEqual(f[6], "-")      # no GEMM roof measured
        self.assertEqual(f[7], "12.00")  # their median ms
        self.assertEqual(f[8], "67%")
        self.assertEqual(f[10], "1.20x")
        self.assertEqual(f[11], "0.60-1.25")
        self.assertEqual(f[12], "-")
        self.assertIn("(rounds 3/3)", lines[1])
        self.assertTrue(any(ln.startswith("roof fp32: 300.0 GFLOP/s") for ln in lines), lines)
        self.assertFalse(any(" fma " in ln for ln in lines[1:]), lines)  # the roof is no case

    def test_rounds_pair_within_one_invocation(self):
        # Two invocations' files together: round 1 of each pairs with its own invocation's round 1
        # (ratios 2.0 and 0.5 -> median 1.25), never across (which would give 4.0 / 0.25).
        ours = write(self.dir, "ours.csv", [
            ("round=1;compare=a", "onednn", "gemm", "g", "fp32", "10", "", "ok"),
            ("round=1;compare=b", "onednn", "gemm", "g", "fp32", "40", "", "ok")])
        theirs = write(self.dir, "theirs.csv", [
            ("round=1;compare=a", "openvino", "gemm", "g", "fp32", "20", "", "ok"),
            ("round=1;compare=b", "openvino", "gemm", "g", "fp32", "20", "", "ok")])
        f = line_of(run(ours, theirs), "g")
        self.assertEqual(f[10], "1.25x")
        self.assertEqual(f[11], "0.50-2.00")

    def test_untagged_rows_use_the_medians(self):
        ours = write(self.dir, "ours.csv", [("", "onednn", "gemm", "g", "fp32", "10", "", "ok"),
                                            ("", "onednn", "gemm", "g", "fp32", "30", "", "ok")])
        theirs = write(self.dir, "theirs.csv", [("", "openvino", "gemm", "g", "fp32", "40", "", "ok")])
        f = line_of(run(ours, theirs), "g")
        self.assertEqual(f[10], "2.00x")  # 40 / median(10, 30)
        self.assertEqual(f[11], "-")
        self.assertEqual(f[5], "-")  # no roof measured

    def test_failed_rows_are_listed_not_compared(self):
        ours = write(self.dir, "ours.csv", [("round=1", "onednn", "gemm", "g", "bf16", "10", "", "ok")])
        theirs = write(self.dir, "theirs.csv", [
            ("round=1", "openvino", "gemm", "g", "bf16", "5", "", "failed_verification"),
            ("round=1", "onnxruntime", "gemm", "g", "bf16", "", "", "unsupported")])
        lines = run(ours, theirs, refs="onnxruntime,openvino")
        f = line_of(lines, "g")
        self.assertEqual(f[7:], ["-"] * 12 + ["(rounds", "1/0/0)"])
        self.assertEqual(sum(ln.startswith("not compared: ") for ln in lines), 2)

    def test_gemm_roof_is_the_best_library_per_round(self):
        # Round 1's best library gives 0.40, round 2's 0.50, round 3's 0.45 -> GEMM roof 0.45 (a
        # median of the slower library's rates, 0.35, would understate it). Ours at 0.36 is 80% of
        # it, theirs at 0.30 is 67%, so the layer at the GEMM roof would be 1.50x theirs.
        ours = write(self.dir, "ours.csv", [
            ("round=1", "onednn", "bert_layer", "base", "bf16", "10", "0.36", "ok"),
            ("round=2", "onednn", "bert_layer", "base", "bf16", "10", "0.36", "ok"),
            ("round=3", "onednn", "bert_layer", "base", "bf16", "10", "0.36", "ok"),
            ("round=1", "onednn", "peak", "matrix", "bf16", "1", "0.40", "ok"),
            ("round=1", "accel", "peak", "matrix", "bf16", "1", "0.30", "ok"),
            ("round=2", "accel", "peak", "matrix", "bf16", "1", "0.35", "ok"),
            ("round=2", "onednn", "peak", "matrix", "bf16", "1", "0.50", "ok"),
            ("round=3", "onednn", "peak", "matrix", "bf16", "1", "0.45", "ok"),
            ("round=3", "accel", "peak", "matrix", "bf16", "1", "0.35", "ok"),
            ("round=3", "openblas", "peak", "matrix", "bf16", "", "", "unsupported"),
        ])
        theirs = write(self.dir, "theirs.csv", [
            ("round=%d" % r, "openvino", "bert_layer", "base", "bf16", "12", "0.30", "ok") for r in (1, 2, 3)])
        lines = run(ours, theirs)
        f = line_of(lines, "base")
        self.assertEqual(f[5], "-")    # no fma roof for bf16
        self.assertEqual(f[6], "80%")  # 0.36 / 0.45
        self.assertEqual(f[9], "67%")  # 0.30 / 0.45
        self.assertEqual(f[10], "1.20x")
        self.assertEqual(f[12], "1.50x")  # 0.45 / 0.30
        self.assertTrue(any(ln.startswith("gemm bf16: 450.0 GFLOP/s, the median over 3 rounds") for ln in lines),
                        lines)
        self.assertFalse(any(" matrix " in ln for ln in lines[1:]), lines)  # the roof is no case
        self.assertFalse(any(ln.startswith("not compared") for ln in lines), lines)

    def test_untagged_gemm_roof_is_the_files_best(self):
        ours = write(self.dir, "ours.csv", [
            ("", "onednn", "gemm", "g", "fp32", "10", "0.20", "ok"),
            ("", "onednn", "peak", "matrix", "fp32", "1", "0.25", "ok"),
            ("", "openblas", "peak", "matrix", "fp32", "1", "0.15", "ok")])
        theirs = write(self.dir, "theirs.csv", [("", "openvino", "gemm", "g", "fp32", "10", "0.20", "ok")])
        f = line_of(run(ours, theirs), "g")
        self.assertEqual(f[6], "80%")
        self.assertEqual(f[12], "1.25x")


if __name__ == "__main__":
    unittest.main()
