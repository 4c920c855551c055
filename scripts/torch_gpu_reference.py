#!/usr/bin/env python3
"""PyTorch reference on the GPU for scripts/device-check.sh: torch.matmul at 8192^3 (bf16 first,
then fp16, tf32, fp32), timed with CUDA events, written as CSV rows with library=torch.

    python3 scripts/torch_gpu_reference.py --csv OUT.csv [--size 8192] [--reps 10] [--rounds 7]

Exit 77 when PyTorch or a CUDA device is missing (the caller records the step as skipped)."""
import argparse
import csv
import statistics
import sys


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", required=True)
    ap.add_argument("--size", type=int, default=8192)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--dtypes", default="bf16,fp16,tf32,fp32")
    args = ap.parse_args()
    try:
        import torch
    except ImportError as e:
        print(f"SKIP: PyTorch not importable: {e}")
        return 77
    if not torch.cuda.is_available():
        print(f"SKIP: torch {torch.__version__} sees no CUDA device (torch.version.cuda={torch.version.cuda})")
        return 77

    n = args.size
    dev = torch.device("cuda:0")
    name = torch.cuda.get_device_name(dev)
    rows = []
    for dt in args.dtypes.split(","):
        storage = {"bf16": torch.bfloat16, "fp16": torch.float16, "tf32": torch.float32, "fp32": torch.float32}[dt]
        torch.backends.cuda.matmul.allow_tf32 = dt == "tf32"
        # fp32 accumulation for half types, as the HAL's default compute type does.
        torch.backends.cuda.matmul.allow_fp16_reduced_precision_reduction = False
        torch.backends.cuda.matmul.allow_bf16_reduced_precision_reduction = False
        gen = torch.Generator(device=dev).manual_seed(0)
        a = (torch.rand(n, n, device=dev, generator=gen) * 2 - 1).to(storage)
        b = (torch.rand(n, n, device=dev, generator=gen) * 2 - 1).to(storage)
        c = torch.empty(n, n, device=dev, dtype=storage)
        for _ in range(3):
            torch.matmul(a, b, out=c)
        torch.cuda.synchronize()
        times = []
        for _ in range(args.rounds):
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            for _ in range(args.reps):
                torch.matmul(a, b, out=c)
            end.record()
            end.synchronize()
            times.append(start.elapsed_time(end) / args.reps)
        med = statistics.median(times)
        tflops = 2.0 * n * n * n / (med * 1e-3) / 1e12
        rows.append({"device": name, "library": "torch", "torch_version": torch.__version__,
                     "torch_cuda": torch.version.cuda, "dtype": dt, "m": n, "n": n, "k": n,
                     "reps": args.reps, "rounds": args.rounds, "median_ms": f"{med:.4f}",
                     "min_ms": f"{min(times):.4f}", "tflops": f"{tflops:.2f}", "timer": "cuda-event"})
        print(f"{name}: torch.matmul {dt} {n}^3 median {med:.3f} ms, {tflops:.1f} TFLOP/s")
        del a, b, c
        torch.cuda.empty_cache()
    with open(args.csv, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
