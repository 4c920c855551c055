#!/usr/bin/env python3
"""scripts/check_roofs.py on its fixtures: rows within the roof (and the measurement error) pass,
the issue's 124% row fails naming the row, a pct_peak that disagrees with tflops/peak_tflops fails,
rows against measured roofs and rows that are not ok are not checked, bad input exits 2."""

import csv
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "..", "..", "scripts", "check_roofs.py")
DATA = os.path.join(HERE, "data")


def run(*args):
    return subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True)


class CheckRoofsTest(unittest.TestCase):
    def test_within(self):
        r = run(os.path.join(DATA, "roofs-within.csv"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("3 ok rows checked, 0 over the roof (+5% allowed), 1 against measured roofs not checked",
                      r.stdout)
        self.assertIn("highest pct_peak gemm: 101.6%", r.stdout)

    def test_over_fails_naming_the_row(self):
        r = run(os.path.join(DATA, "roofs-over.csv"))
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("OVER ROOF", r.stdout)
        self.assertIn("line 7: opencl:0 gemm 1024 fp16 accel: pct_peak 124% > 105%", r.stdout)

    def test_error_margin_is_an_option(self):
        self.assertEqual(run("--error", "1", os.path.join(DATA, "roofs-within.csv")).returncode, 1)
        self.assertEqual(run("--error", "30", os.path.join(DATA, "roofs-over.csv")).returncode, 0)

    def test_mislabelled_pct_peak(self):
        with open(os.path.join(DATA, "roofs-within.csv"), newline="") as f:
            rows = list(csv.DictReader(f))
        rows[0]["tflops"] = "0.5"  # 130% of 0.384 while pct_peak still says 78%
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "bad.csv")
            with open(path, "w", newline="") as f:
                w = csv.DictWriter(f, fieldnames=list(rows[0]))
                w.writeheader()
                w.writerows(rows)
            r = run(path)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("pct_peak 78.125 but 0.5 / 0.384 is 130.2%", r.stdout)

    def test_bad_input(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "x.csv")
            with open(path, "w") as f:
                f.write("a,b\n1,2\n")
            r = run(path)
            self.assertEqual(r.returncode, 2)
            self.assertIn("not an accelbench results CSV", r.stderr)
            self.assertEqual(run(os.path.join(tmp, "missing.csv")).returncode, 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
