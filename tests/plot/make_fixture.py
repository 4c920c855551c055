#!/usr/bin/env python3
"""Write synthetic accelbench results CSVs for the plot.py tests.

    tests/plot/make_fixture.py [OUT_DIR]     (default: tests/plot/data)

The numbers are made up but shaped like real runs (an H100 and a Xeon on one
host, a Radeon over OpenCL on another; GEMM efficiency rising with size;
failed, error, unsupported and skipped rows), so every figure has something
realistic to draw. Every row carries tags=fixture=synthetic so nobody mistakes
them for measurements. Output is deterministic: the test regenerates the files
and compares them with the committed copies.
"""

import csv
import math
import os
import random
import sys
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
from plot import COLUMNS, SCHEMA_COLUMNS  # noqa: E402  (the contract lives in one place)

TAGS = "fixture=synthetic"
DTYPE_BYTES = {"fp32": 4, "tf32": 4, "fp16": 2, "bf16": 2}
TOLERANCE = {"fp32": 1e-5, "tf32": 5e-3, "fp16": 5e-3, "bf16": 1e-2}

GEMM_CONFIGS = {  # config: (m, n, k, shape penalty for odd sizes / fused epilogues)
    "1000": (1000, 1000, 1000, 0.7), "1024": (1024, 1024, 1024, 1.0), "2048": (2048, 2048, 2048, 1.0),
    "4096": (4096, 4096, 4096, 1.0), "8192": (8192, 8192, 8192, 1.0),
    "2048-bias-gelu": (2048, 2048, 2048, 0.9), "bert-base-qkv-b8": (1024, 2304, 768, 1.0),
    "deepbench-1760x128x1760-NN": (1760, 128, 1760, 1.0),
    "deepbench-5124x9124x2560-TN": (5124, 9124, 2560, 0.95),
}
BERT_CONFIGS = {"base-s128-b8": (768, 128, 8), "base-s128-b32": (768, 128, 32), "large-s384-b32": (1024, 384, 32)}
RESNET_CONFIGS = {"conv3_x-identity-b32-nhwc": (28, 512, 128, 32),  # spatial, channels in, bottleneck, batch
                  "conv4_x-identity-b32-nhwc": (14, 1024, 256, 32)}
STREAM_CONFIGS = {"copy": (2, 0), "scale": (2, 1), "add": (3, 1), "triad": (3, 2)}  # arrays touched, flop/elem
STREAM_N = 1 << 28


def plain(value):
    """Plain decimal as the CSV contract asks: no exponent, six significant digits."""
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return format(Decimal(f"{value:.6g}"), "f")


class Device:
    def __init__(self, host, **fields):
        self.host = host
        self.fields = fields
        self.roofs = {}  # dtype -> (measured TFLOP/s, peak config)
        self.price = fields.pop("usd_per_hour", None)
        self.power = fields.pop("power", None)
        self.clock = fields.pop("clock", None)
        self.timer = fields.pop("timer")


class Run:
    def __init__(self, hostname, run_id, start, version, sha, seed, schema="2"):
        self.schema = schema
        self.meta = {"schema_version": schema, "run_id": run_id, "accelbench_version": version, "git_sha": sha,
                     "hostname": hostname, "tags": TAGS}
        self.clock_s = start
        self.rng = random.Random(seed)
        self.rows = []

    def add(self, dev, workload, config, dtype, library, status="ok", **values):
        self.clock_s += 7
        t = self.clock_s
        row = dict.fromkeys(COLUMNS, "")
        row.update(self.meta)
        row.update(dev.fields)
        stamp = f"2025-03-{4 + t // 86400:02d}T{t // 3600 % 24:02d}:{t // 60 % 60:02d}:{t % 60:02d}Z"
        row.update(timestamp_utc=stamp, library=library, workload=workload, config=config, dtype=dtype,
                   status=status, cache="warm", warmup_ms=200, samples=50, timer=dev.timer)
        row.update(values)
        self.rows.append(row)
        return row

    def timed(self, dev, workload, config, dtype, library, flop, nbytes, seconds, roof=None, items=None,
              item="", batch=None, status="ok", verified="true", err=None, **extra):
        """A measured row: the timing spread, derived rates, power and cost all agree with each other."""
        rng = self.rng
        median = seconds * 1000
        cov = rng.uniform(0.004, 0.03)
        std = median * cov
        p5 = median - 1.5 * std * rng.uniform(0.8, 1.1)
        p95 = median + 1.8 * std * rng.uniform(0.9, 1.8)  # timing tails are right-skewed
        vals = dict(median_ms=median, min_ms=p5 - std * rng.uniform(0.1, 0.5), mean_ms=median + 0.25 * std,
                    p5_ms=p5, p95_ms=p95, stddev_ms=std, cov=cov, flop=flop, bytes=nbytes, batch=batch)
        if flop:
            vals["tflops"] = flop / seconds / 1e12
        if workload in ("stream", "transfer"):
            vals["gbps"] = nbytes / seconds / 1e9
        if items:
            vals["items_per_s"] = items / seconds
            vals["item"] = item
            if dev.price:
                vals["usd_per_hour"] = dev.price
                vals["usd_per_million_items"] = dev.price / (vals["items_per_s"] * 3600) * 1e6
        if roof:
            peak, source = roof
            achieved = vals.get("tflops") or vals.get("gbps")
            if self.schema != "1" and source.startswith("measured:"):
                # schema_version 2: a measured roof is the attainable reference, not pct_peak's roof.
                vals.update(attainable=peak, attainable_source=source, pct_attainable=100 * achieved / peak)
            else:
                vals["peak_tflops"] = peak if "tflops" in vals else None
                if self.schema != "1" and "tflops" not in vals:
                    vals["peak_gbps"] = peak
                vals["peak_source"] = source
                vals["pct_peak"] = 100 * achieved / peak
        if dev.power:
            vals["power_w"] = dev.power * rng.uniform(0.75, 1.0)
            vals["energy_j"] = vals["power_w"] * seconds
            vals["clock_mhz"] = float(dev.clock - rng.randrange(0, 120, 15))
        if verified:
            tol = TOLERANCE.get(dtype, 1e-6)
            vals.update(verified=verified, tolerance=tol,
                        max_rel_err=err if err is not None else tol * rng.uniform(0.02, 0.3))
        vals.update(extra)
        return self.add(dev, workload, config, dtype, library, status=status,
                        **{k: plain(v) if not isinstance(v, str) else v for k, v in vals.items()})

    def peak(self, dev, config, dtype, measured, vendor):
        flop = 1 << 40
        dev.roofs[dtype] = (measured, config)
        self.timed(dev, "peak", config, dtype, "accel-" + dev.fields["backend"], flop, None,
                   flop / (measured * 1e12), roof=vendor, verified="",
                   notes="dependent FMA chains, all compute units busy")

    def gemm(self, dev, library, dtype, configs, eff_max, knee, fail=None):
        """GEMM efficiency rises with the smallest-dimension-weighted size and saturates at eff_max."""
        measured, peak_cfg = dev.roofs[dtype]
        for config in configs:
            m, n, k, penalty = GEMM_CONFIGS[config]
            size = 3 / (1 / m + 1 / n + 1 / k)
            eff = eff_max * (1 - math.exp(-size / knee)) * penalty * self.rng.uniform(0.97, 1.03)
            flop = 2 * m * n * k
            nbytes = (m * k + k * n + m * n) * DTYPE_BYTES[dtype]
            roof = (measured, f"measured:peak/{peak_cfg}")
            if fail and config in fail:
                self.timed(dev, "gemm", config, dtype, library, flop, nbytes, flop / (eff * measured * 1e12),
                           roof=roof, status="failed_verification", verified="false", err=fail[config][0],
                           m=m, n=n, k=k, compute_type=compute_type(dtype), notes=fail[config][1])
                continue
            self.timed(dev, "gemm", config, dtype, library, flop, nbytes, flop / (eff * measured * 1e12),
                       roof=roof, m=m, n=n, k=k, compute_type=compute_type(dtype))

    def bert(self, dev, library, dtype, eff, configs=BERT_CONFIGS):
        measured, peak_cfg = dev.roofs[dtype]
        for config in configs:
            h, s, b = BERT_CONFIGS[config]
            tokens = s * b
            flop = tokens * (24 * h * h + 4 * s * h)
            nbytes = (12 * h * h + 14 * tokens * h) * DTYPE_BYTES[dtype]
            e = eff * (0.75 if h == 768 and b == 8 else 1.0) * self.rng.uniform(0.96, 1.04)
            self.timed(dev, "bert_layer", config, dtype, library, int(flop), nbytes,
                       flop / (e * measured * 1e12), roof=(measured, f"measured:peak/{peak_cfg}"),
                       items=b, item="sequence", batch=b, compute_type=compute_type(dtype))

    def resnet(self, dev, library, dtype, eff):
        measured, peak_cfg = dev.roofs[dtype]
        for config, (hw, cin, mid, b) in RESNET_CONFIGS.items():
            flop = 2 * hw * hw * (cin * mid + 9 * mid * mid + mid * cin) * b
            nbytes = (2 * hw * hw * cin * b + (2 * cin * mid + 9 * mid * mid)) * DTYPE_BYTES[dtype]
            e = eff * self.rng.uniform(0.95, 1.05)
            self.timed(dev, "resnet_block", config, dtype, library, flop, nbytes,
                       flop / (e * measured * 1e12), roof=(measured, f"measured:peak/{peak_cfg}"),
                       items=b, item="image", batch=b, compute_type=compute_type(dtype))

    def stream(self, dev, triad_gbps, vendor):
        for config, (arrays, flop_per) in STREAM_CONFIGS.items():
            nbytes = arrays * STREAM_N * 4
            gbps = triad_gbps * (0.96 if arrays == 2 else 1.0) * self.rng.uniform(0.98, 1.01)
            row = self.timed(dev, "stream", config, "fp32", "accel-" + dev.fields["backend"], None, nbytes,
                             nbytes / (gbps * 1e9), roof=vendor)
            row["flop"] = plain(flop_per * STREAM_N or None)  # counted, but STREAM reports GB/s only

    def transfer(self, dev, rates, vendor):
        nbytes = 1 << 30
        for config, gbps in rates.items():
            if gbps is None:
                self.add(dev, "transfer", config, "", "accel-" + dev.fields["backend"], status="unsupported",
                         bytes=plain(nbytes), notes="the cpu backend has no separate device memory")
                continue
            self.timed(dev, "transfer", config, "", "accel-" + dev.fields["backend"], None, nbytes,
                       nbytes / (gbps * 1e9), roof=vendor, verified="true", err=0.0)


def compute_type(dtype):
    # cuBLAS/oneDNN accumulate 16-bit inputs in fp32; tf32 is fp32 storage with tf32 math.
    return {"fp16": "fp32", "bf16": "fp32", "tf32": "tf32"}.get(dtype, dtype)


def host_a():
    run = Run("gpu-node-01", "20250304T101502Z-gpu-node-01-7c1e", 10 * 3600 + 15 * 60, "0.4.0", "7c1e2f9", 1)
    h100 = Device("gpu-node-01", backend="cuda", device_index="0",
                  device_uuid="GPU-6a1f0c52-9d3e-4b7a-8c21-0f5e3d9b2a71", pci_bus_id="00000000:1B:00.0",
                  device_name="NVIDIA H100 80GB HBM3", vendor="NVIDIA", driver_version="550.54.15",
                  runtime_version="12.4", usd_per_hour=4.10, power=690, clock=1980, timer="cuda-event")
    vendor = "vendor:H100-SXM"
    for config, dtype, measured, spec in (("fma-fp32", "fp32", 51.2, 66.9), ("matrix-tf32", "tf32", 378.0, 494.7),
                                          ("matrix-fp16", "fp16", 752.0, 989.4),
                                          ("matrix-bf16", "bf16", 741.0, 989.4)):
        run.peak(h100, config, dtype, measured, (spec, vendor))
    run.stream(h100, 3010.0, (3350.0, vendor))
    run.transfer(h100, {"h2d-pinned": 53.1, "d2h-pinned": 54.6, "h2d-pageable": 21.8, "d2h-pageable": 18.9},
                 (63.0, "vendor:PCIe5-x16"))
    for dtype, eff in (("fp32", 0.93), ("tf32", 0.86), ("fp16", 0.88), ("bf16", 0.89)):
        run.gemm(h100, "cublaslt", dtype, GEMM_CONFIGS, eff, 1400)
    run.gemm(h100, "pytorch", "bf16", ("1024", "2048", "4096", "8192"), 0.84, 1500)
    run.bert(h100, "pytorch", "bf16", 0.62)
    run.bert(h100, "pytorch", "fp16", 0.60)
    run.bert(h100, "pytorch", "fp32", 0.78)
    run.resnet(h100, "pytorch", "bf16", 0.41)
    run.resnet(h100, "pytorch", "fp32", 0.66)
    run.add(h100, "resnet_block", "conv4_x-identity-b32-nhwc", "fp16", "pytorch", status="error",
            batch="32", item="image",
            notes='cudnnConvolutionForward: CUDNN_STATUS_EXECUTION_FAILED (8), algo "IMPLICIT_PRECOMP_GEMM"')

    xeon = Device("gpu-node-01", backend="cpu", device_index="0", device_name="Intel(R) Xeon(R) Platinum 8480+",
                  vendor="Intel", runtime_version="oneDNN 3.4.1", usd_per_hour=1.95, timer="clock_monotonic")
    vendor = "vendor:Xeon-8480+"
    run.peak(xeon, "fma-fp32", "fp32", 6.1, (7.2, vendor))
    run.peak(xeon, "matrix-bf16", "bf16", 88.0, (114.7, vendor))
    run.stream(xeon, 262.0, (307.2, vendor))
    run.transfer(xeon, {"h2d-pinned": None, "d2h-pinned": None, "h2d-pageable": None, "d2h-pageable": None}, None)
    cpu_configs = [c for c in GEMM_CONFIGS if c != "8192"]
    run.gemm(xeon, "onednn", "fp32", cpu_configs, 0.86, 350)
    run.gemm(xeon, "openblas", "fp32", cpu_configs, 0.74, 420)
    run.gemm(xeon, "onednn", "bf16", cpu_configs, 0.66, 700,
             fail={"2048-bias-gelu": (0.081, "gelu epilogue mismatch: max_rel_err 0.081 > tolerance 0.01")})
    for dtype in ("fp32", "bf16"):
        run.add(xeon, "gemm", "8192", dtype, "onednn", status="skipped", m="8192", n="8192", k="8192",
                notes="skipped: over the --max-seconds budget on this device")
    run.bert(xeon, "onednn", "bf16", 0.45)
    run.bert(xeon, "onednn", "fp32", 0.70, configs=("base-s128-b8", "base-s128-b32"))
    run.add(xeon, "bert_layer", "large-s384-b32", "fp32", "onednn", status="skipped",
            notes="skipped: over the --max-seconds budget on this device")
    run.resnet(xeon, "onednn", "bf16", 0.38)
    run.resnet(xeon, "onednn", "fp32", 0.61)
    return run


def host_b():
    run = Run("ws-amd-02", "20250305T083011Z-ws-amd-02-91b0", 86400 + 8 * 3600 + 30 * 60, "0.4.1", "91b0d3a", 2,
              schema="1")
    rx = Device("ws-amd-02", backend="opencl", device_index="0", pci_bus_id="0000:03:00.0",
                device_name="AMD Radeon RX 7900 XTX", vendor="AMD", driver_version="3590.0 (HSA1.1,LC)",
                runtime_version="OpenCL 2.1 AMD-APP (3590.0)", power=355, clock=2500, timer="cl-event")
    vendor = "vendor:RX-7900-XTX"
    run.peak(rx, "fma-fp32", "fp32", 38.4, (61.4, vendor))
    run.peak(rx, "fma-fp16", "fp16", 71.9, (122.8, vendor))
    run.stream(rx, 861.0, (960.0, vendor))
    run.transfer(rx, {"h2d-pinned": 24.9, "d2h-pinned": 26.2, "h2d-pageable": 11.7, "d2h-pageable": 9.8},
                 (31.5, "vendor:PCIe4-x16"))
    configs = [c for c in GEMM_CONFIGS if c != "8192"]
    run.gemm(rx, "clblast", "fp32", configs, 0.55, 900)
    run.gemm(rx, "clblast", "fp16", configs, 0.45, 1100,
             fail={"1000": (0.042, "max_rel_err 0.042 > tolerance 0.005, \"xgemm_direct\" kernel")})
    run.add(rx, "gemm", "8192", "fp32", "clblast", status="error", m="8192", n="8192", k="8192",
            notes='clEnqueueNDRangeKernel: CL_OUT_OF_RESOURCES (-5), kernel "xgemm"')
    for config in ("1024", "4096"):
        run.add(rx, "gemm", config, "bf16", "clblast", status="unsupported",
                notes="clblast: bf16 is not supported by this OpenCL device")
    run.bert(rx, "accel-opencl", "fp16", 0.28)
    run.bert(rx, "accel-opencl", "fp32", 0.36)
    run.resnet(rx, "accel-opencl", "fp16", 0.22)
    run.resnet(rx, "accel-opencl", "fp32", 0.31)
    return run


def write(path, run):
    """The run's schema_version decides the column set: the fixtures hold one file of each."""
    columns = SCHEMA_COLUMNS[run.schema]
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\r\n")  # RFC 4180 line ends, as the C writer emits
        writer.writerow(columns)
        for row in run.rows:
            writer.writerow([row[c] for c in columns])


def main(argv):
    out_dir = argv[1] if len(argv) > 1 else os.path.join(HERE, "data")
    os.makedirs(out_dir, exist_ok=True)
    for name, run in (("fixture-gpu-node-01.csv", host_a()), ("fixture-ws-amd-02.csv", host_b())):
        write(os.path.join(out_dir, name), run)
        print(os.path.join(out_dir, name))


if __name__ == "__main__":
    main(sys.argv)
