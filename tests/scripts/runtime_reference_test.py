#!/usr/bin/env python3
"""Tests for scripts/runtime_reference.py (the onnxruntime / OpenVINO side of compare_runtimes.sh),
plain unittest; needs torch, so CMake registers it only where the interpreter imports torch.

- A fake runtime's rows: the results schema (plot.py's own reader accepts them), the FLOP count of
  the config, the unsupported row with its reason, a wrong output written as failed_verification,
  and appending to an older-schema file.
- The real runtimes on a tiny shape, when they are importable from the runtimes venv
  (.venv-runtimes, which compare_runtimes.sh makes) or ACCEL_RUNTIMES_PYTHON; skipped with the
  reason otherwise. Timings are never checked: this machine is shared."""

import csv
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SCRIPT = os.path.join(ROOT, "scripts", "runtime_reference.py")
FAST = ["--warmup-ms", "0", "--min-time-ms", "0", "--min-samples", "2", "--max-samples", "2", "--threads", "2"]
TINY = "conv5_x-identity-b1-nchw"  # 7x7, 2048 -> 512 -> 2048 channels, one image: 0.44 GFLOP
TINY_FLOP = 2 * 7 * 7 * (2048 * 512 + 9 * 512 * 512 + 512 * 2048)


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


rr = load("runtime_reference", SCRIPT)
plot = load("plot", os.path.join(ROOT, "scripts", "plot.py"))
tr = rr.tr
torch = rr.torch


class FakeRuntime:
    """Returns PyTorch's own output (scaled by `factor`), fp32 only."""
    name = "fakert"
    factor = 1.0

    def __init__(self):
        self.version = "fakert 0.1"

    def prepare(self, case, dtype, threads):
        if dtype != "fp32":
            raise rr.Unsupported("the fake has no %s" % dtype)
        with torch.inference_mode():
            out = case.forward(case.input).numpy() * self.factor
        return (lambda: out), "fake runtime, %d threads" % threads


class WrongRuntime(FakeRuntime):
    factor = 1.01  # a 1% error: far over the fp32 tolerance


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


class FakeRuntimeRowsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="runtime-ref-test-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.csv = os.path.join(self.tmp, "r.csv")

    def run_fake(self, runtime=FakeRuntime, config=TINY, dtype="fp32,bf16"):
        return rr.main(["--workload", "resnet_block", "--config", config, "--dtype", dtype,
                        "--runtime", "fakert", "--csv", self.csv, "--tag", "round=1", *FAST],
                       runtimes={"fakert": runtime})

    def test_rows_follow_the_schema(self):
        self.assertEqual(self.run_fake(), 0)
        with open(self.csv, newline="") as f:
            self.assertEqual(next(csv.reader(f)), tr.COLUMNS)  # a new file: the newest schema
        parsed = {r["dtype"]: r for r in plot.read_results(self.csv)}  # plot.py's validation
        self.assertEqual(sorted(parsed), ["bf16", "fp32"])
        rows = {r["dtype"]: r for r in read(self.csv)}
        ok = rows["fp32"]
        for col, want in (("schema_version", "4"), ("library", "fakert"), ("runtime_version", "fakert 0.1"),
                          ("backend", "cpu"), ("workload", "resnet_block"), ("config", TINY),
                          ("status", "ok"), ("verified", "true"), ("tags", "round=1"), ("item", "image"),
                          ("batch", "1"), ("samples", "2"), ("timer", "perf_counter"), ("max_rel_err", "0")):
            self.assertEqual(ok[col], want, col)
        self.assertEqual(float(ok["flop"]), TINY_FLOP)
        med = float(ok["median_ms"])
        self.assertGreater(med, 0)
        self.assertAlmostEqual(float(ok["tflops"]), TINY_FLOP / (med * 1e-3) / 1e12, delta=1e-3 * float(ok["tflops"]))
        self.assertAlmostEqual(float(ok["items_per_s"]), 1 / (med * 1e-3), delta=1e-3 * float(ok["items_per_s"]))
        self.assertIn("fake runtime, 2 threads", ok["notes"])
        bad = rows["bf16"]
        self.assertEqual((bad["status"], bad["median_ms"], bad["library"]), ("unsupported", "", "fakert"))
        self.assertEqual(bad["notes"], "fakert: the fake has no bf16")

    def test_wrong_output_is_failed_verification(self):
        self.assertEqual(self.run_fake(WrongRuntime, dtype="fp32"), 1)
        (row,) = read(self.csv)
        self.assertEqual((row["status"], row["verified"]), ("failed_verification", "false"))
        self.assertGreater(float(row["median_ms"]), 0)  # timed, as accelbench writes a failed row
        self.assertAlmostEqual(float(row["max_rel_err"]), 0.01, delta=1e-4)

    def test_nhwc_input_is_nhwc(self):
        case = rr.Case("resnet_block", "conv5_x-identity-b1-nhwc", self.tmp)
        self.assertEqual(tuple(case.input.shape), (1, 7, 7, 2048))
        self.assertEqual(case.expected.shape, (1, 7, 7, 2048))
        nchw = rr.Case("resnet_block", TINY, self.tmp)
        self.assertLess(rr.max_rel_err(case.expected.transpose(0, 3, 1, 2), nchw.expected), 1e-6)

    def test_appends_in_the_files_schema(self):
        with open(self.csv, "w", newline="") as f:
            csv.writer(f).writerow(tr.COLUMNS_V2)
        self.assertEqual(self.run_fake(dtype="fp32"), 0)
        with open(self.csv, newline="") as f:
            self.assertEqual(next(csv.reader(f)), tr.COLUMNS_V2)
        (row,) = read(self.csv)
        self.assertEqual((row["schema_version"], row["status"]), ("2", "ok"))

    def test_bad_arguments(self):
        p = subprocess.run([sys.executable, SCRIPT, "--workload", "resnet_block", "--config", TINY,
                            "--dtype", "fp16", "--csv", self.csv], capture_output=True, text=True, timeout=300)
        self.assertEqual(p.returncode, 2)
        self.assertIn("dtype fp16 is not supported", p.stderr)
        self.assertFalse(os.path.exists(self.csv))


def runtimes_python():
    """(interpreter, None) when it imports both runtimes, else (None, why not)."""
    candidates = [os.environ.get("ACCEL_RUNTIMES_PYTHON"), os.path.join(ROOT, ".venv-runtimes", "bin", "python"),
                  sys.executable]
    tried = []
    for py in filter(None, candidates):
        if not os.path.exists(py):
            continue
        p = subprocess.run([py, "-c", "import onnxruntime, openvino, torch"], capture_output=True, text=True,
                           timeout=120)
        if p.returncode == 0:
            return py, None
        tried.append("%s: %s" % (py, (p.stderr.strip().splitlines() or ["?"])[-1]))
    return None, ("onnxruntime/openvino not importable (%s); scripts/compare_runtimes.sh makes .venv-runtimes"
                  % "; ".join(tried))


class RealRuntimesTest(unittest.TestCase):
    def test_tiny_rows(self):
        py, why = runtimes_python()
        if not py:
            self.skipTest(why)
        tmp = tempfile.mkdtemp(prefix="runtime-ref-real-")
        self.addCleanup(shutil.rmtree, tmp, ignore_errors=True)
        path = os.path.join(tmp, "r.csv")
        for workload, config, dtype in (("resnet_block", TINY + ",conv5_x-identity-b1-nhwc", "fp32,bf16"),
                                        ("bert_layer", "base-s128-b1", "fp32")):
            p = subprocess.run([py, SCRIPT, "--workload", workload, "--config", config, "--dtype", dtype,
                                "--csv", path, *FAST], capture_output=True, text=True, timeout=600)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        plot.read_results(path)
        rows = {(r["library"], r["config"], r["dtype"]): r for r in read(path)}
        self.assertEqual(len(rows), 2 * 2 * 2 + 2)
        caps = subprocess.run([py, "-c", "import openvino; print(openvino.Core().get_property('CPU', "
                               "'OPTIMIZATION_CAPABILITIES'))"], capture_output=True, text=True, timeout=120).stdout
        for (lib, config, dtype), r in rows.items():
            with self.subTest(library=lib, config=config, dtype=dtype):
                if lib == "onnxruntime" and dtype == "bf16" or (lib == "openvino" and dtype == "bf16"
                                                                 and "BF16" not in caps):
                    self.assertEqual(r["status"], "unsupported")
                    self.assertTrue(r["notes"])
                    continue
                self.assertEqual((r["status"], r["verified"]), ("ok", "true"), r["notes"])
                self.assertLessEqual(float(r["max_rel_err"]), float(r["tolerance"]))
                self.assertGreater(float(r["median_ms"]), 0)
                self.assertTrue(r["runtime_version"].startswith(lib + " "))


if __name__ == "__main__":
    unittest.main(verbosity=2)
