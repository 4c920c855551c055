#!/usr/bin/env python3
"""scripts/compare_rows.py: equal files pass (schema_version 1 against 2 as well), a changed status,
a missing and an added row each fail naming the row, the last row of a repeated key counts, the key
leaves timings and notes out, and files that are not results CSVs exit 2."""

import csv
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "..", "..", "scripts", "compare_rows.py")

V1 = ("schema_version,run_id,timestamp_utc,accelbench_version,git_sha,hostname,tags,backend,"
      "device_index,device_uuid,pci_bus_id,device_name,vendor,driver_version,runtime_version,library,"
      "workload,config,dtype,compute_type,batch,m,n,k,flop,bytes,cache,warmup_ms,samples,timer,"
      "median_ms,min_ms,mean_ms,p5_ms,p95_ms,stddev_ms,cov,tflops,gbps,items_per_s,item,peak_tflops,"
      "peak_source,pct_peak,clock_mhz,power_w,energy_j,usd_per_hour,usd_per_million_items,verified,"
      "max_rel_err,tolerance,status,notes").split(",")
V2 = V1 + ["peak_gbps", "attainable", "attainable_source", "pct_attainable"]

ROWS = [
    # backend, device_name, library, workload, config, dtype, status, median_ms
    ("cpu", "AMD EPYC 9R14", "onednn", "gemm", "1024", "fp32", "ok", "12.5"),
    ("cpu", "AMD EPYC 9R14", "accel", "gemm", "1024", "fp32", "ok", "40.1"),
    ("opencl", "cpu-znver4-AMD EPYC 9R14", "accel", "gemm", "1024", "fp16", "unsupported", ""),
    ("opencl", "cpu-znver4-AMD EPYC 9R14", "", "stream", "triad", "fp32", "ok", "3.2"),
]


def write(folder, name, header, rows, version):
    path = os.path.join(folder, name)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header, restval="")
        w.writeheader()
        for backend, device, library, workload, config, dtype, status, median in rows:
            w.writerow({"schema_version": version, "backend": backend, "device_name": device,
                        "library": library, "workload": workload, "config": config,
                        "dtype": dtype, "status": status, "median_ms": median,
                        "notes": f"run of {name}"})
    return path


def run(*args):
    return subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True)


class CompareRowsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        self.before = write(self.dir, "before.csv", V2, ROWS, "2")

    def tearDown(self):
        self.tmp.cleanup()

    def test_same_rows_other_timings_and_schema(self):
        other = [r[:7] + ("99.9",) for r in reversed(ROWS)]
        after = write(self.dir, "after.csv", V1, other, "1")
        r = run(self.before, after)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("same rows and statuses", r.stdout)
        self.assertIn("4 keys (4 rows)", r.stdout)

    def test_changed_status_fails_naming_the_row(self):
        changed = list(ROWS)
        changed[1] = ROWS[1][:6] + ("failed_verification", "40.1")
        after = write(self.dir, "after.csv", V2, changed, "2")
        r = run(self.before, after)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("status ok -> failed_verification: backend=cpu device_name=AMD EPYC 9R14 "
                      "workload=gemm config=1024 dtype=fp32 library=accel (lines 3 and 3)", r.stdout)

    def test_missing_and_added_rows(self):
        after = write(self.dir, "after.csv", V2,
                      ROWS[:3] + [("cpu", "AMD EPYC 9R14", "openblas", "gemm", "1024", "fp32", "ok", "1")],
                      "2")
        r = run(self.before, after)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("2 difference(s)", r.stdout)
        self.assertIn(f"only in {self.before} (line 5): backend=opencl device_name=cpu-znver4-AMD EPYC "
                      "9R14 workload=stream config=triad dtype=fp32 library=- [ok]", r.stdout)
        self.assertIn(f"only in {after} (line 5): backend=cpu", r.stdout)
        self.assertIn("library=openblas [ok]", r.stdout)

    def test_last_row_of_a_key_counts(self):
        # A resumed file: the row measured again (error, then ok) stands twice.
        redone = ROWS[:1] + [ROWS[1][:6] + ("error", "")] + ROWS[1:]
        after = write(self.dir, "after.csv", V2, redone, "2")
        r = run(self.before, after)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("1 row(s) whose key stands earlier", r.stdout)
        self.assertEqual(run(after, self.before).returncode, 0)
        # ... and the other way round the error is the current row.
        flipped = ROWS[:2] + [ROWS[1][:6] + ("error", "")] + ROWS[2:]
        after = write(self.dir, "after2.csv", V2, flipped, "2")
        self.assertEqual(run(self.before, after).returncode, 1)

    def test_ignore_library(self):
        after = write(self.dir, "after.csv", V2,
                      [ROWS[0][:2] + ("openblas",) + ROWS[0][3:]] + ROWS[1:], "2")
        self.assertEqual(run(self.before, after).returncode, 1)
        r = run("--ignore-library", self.before, after)
        self.assertEqual(r.returncode, 0, r.stdout)

    def test_bad_files(self):
        plain = os.path.join(self.dir, "plain.csv")
        with open(plain, "w") as f:
            f.write("a,b\n1,2\n")
        r = run(self.before, plain)
        self.assertEqual(r.returncode, 2)
        self.assertIn("not an accelbench results CSV", r.stderr)
        v5 = write(self.dir, "v5.csv", V2, ROWS, "5")
        r = run(v5, self.before)
        self.assertEqual(r.returncode, 2)
        self.assertIn("schema_version '5'", r.stderr)
        short = os.path.join(self.dir, "short.csv")
        with open(short, "w") as f:
            f.write(",".join(V2) + "\n2,x\n")
        r = run(self.before, short)
        self.assertEqual(r.returncode, 2)
        self.assertIn("line 2", r.stderr)
        r = run(self.before, os.path.join(self.dir, "absent.csv"))
        self.assertEqual(r.returncode, 2)
        self.assertIn("No such file", r.stderr)


if __name__ == "__main__":
    unittest.main()
