#!/usr/bin/env python3
"""Tests for scripts/torch_reference.py's training steps (plain unittest; needs torch, so CMake
registers it only where the interpreter imports torch): the rows it writes for the quick -train
configs, the schema of the file it appends to, and that one step really updates every parameter.
Timings are never checked: this machine is shared."""

import csv
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.normpath(os.path.join(HERE, "..", "..", "scripts", "torch_reference.py"))
# One sample after the two warm-up steps: the rows' shape is under test, not their speed.
FAST = ["--warmup-ms", "0", "--min-time-ms", "0", "--min-samples", "1", "--max-samples", "1", "--threads", "2"]

# Loading the script below names OpenBLAS's kernels in this process's environment; the scripts run
# as subprocesses must meet the environment the test was started with.
CORETYPE_PRESET = "OPENBLAS_CORETYPE" in os.environ
spec = importlib.util.spec_from_file_location("torch_reference", SCRIPT)
tr = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tr)
torch = tr.torch


def run(*args):
    env = dict(os.environ)
    if not CORETYPE_PRESET:
        env.pop("OPENBLAS_CORETYPE", None)
    return subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True, timeout=600, env=env)


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


class TrainRowsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="torch-ref-test-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)

    def test_rows_of_each_mode(self):
        path = os.path.join(self.tmp, "t.csv")
        p = run("--workload", "bert_layer", "--config", "base-s128-b1-train", "--dtype", "fp32,tf32,bf16,fp16",
                "--csv", path, *FAST)
        self.assertEqual(p.returncode, 0, p.stderr)
        p = run("--workload", "resnet_block", "--config", "conv3_x-identity-b2-nhwc-train", "--dtype", "fp32,bf16",
                "--csv", path, *FAST)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(path, newline="") as f:
            self.assertEqual(next(csv.reader(f)), tr.COLUMNS)  # a new file: the newest schema
        rows = {(r["config"], r["dtype"]): r for r in read(path)}
        self.assertEqual(len(rows), 6)
        # docs/workloads.md: 3x the forward, 5.587 GFLOP per base sequence, 1.310 GFLOP per image.
        flop = {"base-s128-b1-train": 3 * (2 * 128 * 768 * 2304 + 4 * 128 * 128 * 768 + 2 * 128 * 768 * 768
                                           + 4 * 128 * 768 * 3072),
                "conv3_x-identity-b2-nhwc-train": 2 * 3 * 2 * 28 * 28 * (512 * 128 + 9 * 128 * 128 + 128 * 512)}
        self.assertAlmostEqual(flop["base-s128-b1-train"] / 1e9, 5.587, delta=1e-3)  # 5.5868
        self.assertAlmostEqual(flop["conv3_x-identity-b2-nhwc-train"] / 2e9, 1.310, delta=1e-3)
        for (config, dtype), r in rows.items():
            with self.subTest(config=config, dtype=dtype):
                self.assertEqual((r["library"], r["schema_version"], r["backend"]), ("pytorch", "4", "cpu"))
                if dtype in ("tf32", "fp16"):
                    self.assertEqual(r["status"], "unsupported")
                    self.assertIn(dtype, r["notes"])
                    self.assertEqual(r["median_ms"], "")
                    continue
                self.assertEqual(r["status"], "ok")
                self.assertEqual(int(r["flop"]), flop[config])
                self.assertEqual(r["item"], "sample")
                batch = int(r["batch"])
                self.assertEqual(batch, 1 if config.startswith("base") else 2)
                self.assertAlmostEqual(float(r["items_per_s"]), batch / (float(r["median_ms"]) / 1e3),
                                       delta=1e-4 * float(r["items_per_s"]))
                self.assertIn("training step", r["notes"])
                self.assertIn("AdamW", r["notes"])
                # OpenBLAS (torch's fp32 matmuls) on kernels named by ISA on an Intel AVX-512 CPU
                if tr.intel_avx512() and not CORETYPE_PRESET:
                    self.assertIn("OPENBLAS_CORETYPE=SkylakeX set", r["notes"])
                if dtype == "bf16":
                    self.assertIn("autocast", r["notes"])

    def test_appends_in_the_files_schema(self):
        v1 = os.path.join(self.tmp, "v1.csv")
        with open(v1, "w", newline="") as f:
            csv.writer(f).writerow(tr.COLUMNS_V1)
        p = run("--workload", "resnet_block", "--config", "conv3_x-identity-b2-nhwc-train", "--dtype", "tf32",
                "--csv", v1, *FAST)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(v1, newline="") as f:
            records = list(csv.reader(f))
        self.assertEqual(records[0], tr.COLUMNS_V1)
        self.assertEqual(len(records), 2)
        self.assertEqual(len(records[1]), len(tr.COLUMNS_V1))
        self.assertEqual(records[1][0], "1")

        other = os.path.join(self.tmp, "other.csv")
        with open(other, "w") as f:
            f.write("a,b\n1,2\n")
        p = run("--workload", "resnet_block", "--config", "conv3_x-identity-b2-nhwc-train", "--dtype", "fp32",
                "--csv", other, *FAST)
        self.assertEqual(p.returncode, 2)
        self.assertIn("refusing to append", p.stderr)
        with open(other) as f:
            self.assertEqual(f.read(), "a,b\n1,2\n")

    def test_inference_configs_keep_their_dtypes(self):
        p = run("--workload", "gemm", "--config", "64", "--dtype", "fp16", "--csv",
                os.path.join(self.tmp, "g.csv"), *FAST)
        self.assertEqual(p.returncode, 2)
        self.assertIn("dtype fp16 is not supported", p.stderr)


class StepTest(unittest.TestCase):
    """One step of each model updates every parameter (so the backward reached all of them and
    AdamW ran), leaves no gradient behind and keeps the fp32 masters fp32 under autocast."""

    def check_step(self, build, config, dtype):
        torch.set_num_threads(2)
        captured = {}
        real = tr.train_step

        def spy(forward, params, inputs, dout, d):
            captured["params"], captured["inputs"] = params, inputs
            return real(forward, params, inputs, dout, d)

        tr.train_step = spy
        try:
            step, meta = build(config, dtype, torch.Generator().manual_seed(7))
        finally:
            tr.train_step = real
        before = [p.detach().clone() for p in captured["params"]]
        step()
        for i, (p, b) in enumerate(zip(captured["params"], before)):
            self.assertEqual(p.dtype, torch.float32)
            self.assertIsNone(p.grad, f"param {i} still holds a gradient")
            self.assertFalse(torch.equal(p.detach(), b), f"param {i} of {config} {dtype} was not updated")
        for t in captured["inputs"]:
            self.assertIsNone(t.grad)
        return meta

    def test_bert_step(self):
        for dtype in ("fp32", "bf16"):
            meta = self.check_step(tr.bert_layer_train, "base-s128-b1", dtype)
            self.assertEqual(meta["item"], "sample")

    def test_resnet_step(self):
        for dtype in ("fp32", "bf16"):
            self.check_step(tr.resnet_block_train, "conv3_x-identity-b2-nchw", dtype)


if __name__ == "__main__":
    unittest.main(verbosity=2)
