#!/usr/bin/env python3
"""PyTorch reference on the GPU for scripts/device-check.sh: torch.matmul at 8192^3 (bf16 first,
then fp16, tf32, fp32), timed with CUDA events, written as CSV rows with library=torch; with
--attention, also torch.nn.functional.scaled_dot_product_attention on BERT's attention shapes
(base-s128-b8: 8 x 12 heads x 128 x 64; large-s384-b1: 1 x 16 x 384 x 64) in bf16, with the
bert_layer padding mask as an additive float mask (what accelbench's attention op takes, so the
comparison with backends/cuda/bench/attention_bench.c is like for like), without a mask (SDPA's
flash kernel, the harder target) and causal (is_causal=True, attention_bench's causal line), written
as rows with op=sdpa and mask=masked|unmasked|causal.

    python3 scripts/torch_gpu_reference.py --csv OUT.csv [--size 8192] [--reps 10] [--rounds 7]
                                           [--dtypes bf16,...] [--attention base-s128-b8,large-s384-b1]

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
    ap.add_argument("--attention", default="", help="comma-separated BERT attention shapes for SDPA rows")
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
    for dt in [d for d in args.dtypes.split(",") if d]:
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
    for shape in [a for a in args.attention.split(",") if a]:
        rows += sdpa_rows(torch, dev, name, shape, args.reps, args.rounds)
    fields = []
    for r in rows:
        fields += [k for k in r if k not in fields]
    with open(args.csv, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, restval="")
        w.writeheader()
        w.writerows(rows)
    return 0


def sdpa_rows(torch, dev, name, shape, reps, rounds):
    """SDPA in bf16 on one BERT attention shape: masked as bert_layer masks, unmasked, and causal
    (is_causal=True, no padding mask: attention_bench's causal line). TFLOP/s counts the products
    a causal kernel needs (half) when causal, as attention_bench does."""
    model, seq, batch = shape.split("-")
    heads = {"base": 12, "large": 16}[model]
    S, B, D = int(seq[1:]), int(batch[1:]), 64
    gen = torch.Generator(device=dev).manual_seed(0)
    q, k, v = [(torch.rand(B, heads, S, D, device=dev, generator=gen) * 2 - 1).to(torch.bfloat16)
               for _ in range(3)]
    mask = torch.zeros(B, 1, 1, S, device=dev, dtype=torch.bfloat16)
    for b in range(B):  # bert_layer's mask: sequence b keeps S - 1 - (13 b) % (S / 4) keys
        mask[b, :, :, S - 1 - (13 * b) % max(S // 4, 1):] = -10000.0
    sdpa = torch.nn.functional.scaled_dot_product_attention
    out = []
    for what in ("masked", "unmasked", "causal"):
        flop = (2.0 if what == "causal" else 4.0) * B * heads * S * S * D

        def run():
            return sdpa(q, k, v, attn_mask=mask if what == "masked" else None, is_causal=what == "causal",
                        scale=1.0 / 8.0)
        for _ in range(3):
            run()
        torch.cuda.synchronize()
        times = []
        for _ in range(rounds):
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            for _ in range(reps):
                run()
            end.record()
            end.synchronize()
            times.append(start.elapsed_time(end) / reps)
        med = statistics.median(times)
        out.append({"device": name, "library": "torch", "torch_version": torch.__version__,
                    "torch_cuda": torch.version.cuda, "dtype": "bf16", "op": "sdpa", "config": shape,
                    "mask": what, "reps": reps, "rounds": rounds, "median_ms": f"{med:.4f}",
                    "min_ms": f"{min(times):.4f}", "tflops": f"{flop / (med * 1e-3) / 1e12:.2f}",
                    "timer": "cuda-event"})
        print(f"{name}: torch SDPA bf16 {shape} {what} median {med:.4f} ms, {flop / (med * 1e-3) / 1e12:.1f} TFLOP/s")
    return out


if __name__ == "__main__":
    sys.exit(main())
