#!/usr/bin/python3
"""PyTorch eager reference rows for accelbench on the CPU.

Runs the PyTorch equivalents of accelbench workload configs (same shapes, same FLOP counting, same
thread count) and appends rows in accelbench's CSV schema with library=pytorch, so
scripts/compare_torch.sh can put them beside accelbench's own rows. Inference configs run under
inference_mode; -train configs run one training step as docs/workloads.md defines it (forward,
out.backward(dout), AdamW on fp32 master weights, zero_grad), under AMP for bf16; their item is a
training sample, as in accelbench's -train rows.

Supported configs:
  bert_layer   base-s128-b{1,8,32}, large-s384-b{1,8,32}   dtypes fp32, bf16
               the same with -train                          fp32, bf16 (autocast); tf32 and fp16
                                                             are written as unsupported on the CPU
  resnet_block <block>-b<N>-nchw / -nhwc (channels_last)    dtypes fp32, bf16
               conv3_x-identity-b<N>-{nchw,nhwc}-train       as bert_layer -train
  gemm         square sizes (1024, 2048, ...)               dtypes fp32, bf16

Needs torch: Debian's python3-torch for /usr/bin/python3. Exit status 2 when torch is missing or
the arguments are bad.
"""
import argparse
import csv
import datetime
import math
import os
import platform
import socket
import statistics
import sys
import time
import uuid


def intel_avx512():
    """Whether this host is an Intel CPU with AVX-512 (/proc/cpuinfo; False where unreadable)."""
    try:
        with open("/proc/cpuinfo") as f:
            info = f.read()
    except OSError:
        return False
    flags = next((line.split(":", 1)[1].split() for line in info.splitlines() if line.startswith("flags")), [])
    return "GenuineIntel" in info and "avx512f" in flags


def name_openblas_kernels():
    """Debian's torch does its fp32 matmuls in OpenBLAS, whose DYNAMIC_ARCH build picks kernels by
    CPU model number and runs its Prescott (SSE3) kernels on a model newer than itself: 0.3.21 on
    an Emerald Rapids Xeon ran a 1024 matmul at 43 GFLOP/s there, 230 with its SkylakeX kernels.
    PyTorch that slow would flatter every ratio against it, so on an Intel CPU with AVX-512 the
    kernels are named by ISA before torch loads OpenBLAS, as accelbench's cpu backend does for its
    openblas rows (docs/backend-cpu.md). -> the note for the rows ("" when nothing applies)."""
    if "OPENBLAS_CORETYPE" in os.environ:
        return "OPENBLAS_CORETYPE=%s" % os.environ["OPENBLAS_CORETYPE"]
    if not intel_avx512():
        return ""
    os.environ["OPENBLAS_CORETYPE"] = "SkylakeX"
    return "OPENBLAS_CORETYPE=SkylakeX set (OpenBLAS's kernels by ISA, not model)"


OPENBLAS_NOTE = name_openblas_kernels()  # before torch loads OpenBLAS

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    sys.stderr.write(
        "torch_reference.py: PyTorch is not importable from %s.\n"
        "Run it with Debian's interpreter, /usr/bin/python3 (apt-get install python3-torch);\n"
        "the pyenv python3 on PATH has no torch.\n" % sys.executable)
    sys.exit(2)

COLUMNS_V1 = ("schema_version,run_id,timestamp_utc,accelbench_version,git_sha,hostname,tags,backend,"
           "device_index,device_uuid,pci_bus_id,device_name,vendor,driver_version,runtime_version,"
           "library,workload,config,dtype,compute_type,batch,m,n,k,flop,bytes,cache,warmup_ms,"
           "samples,timer,median_ms,min_ms,mean_ms,p5_ms,p95_ms,stddev_ms,cov,tflops,gbps,"
           "items_per_s,item,peak_tflops,peak_source,pct_peak,clock_mhz,power_w,energy_j,"
           "usd_per_hour,usd_per_million_items,verified,max_rel_err,tolerance,status,notes").split(",")
# schema_version 2 appended these (docs/cli.md); rows here leave them empty, as they have no roof.
COLUMNS_V2 = COLUMNS_V1 + ["peak_gbps", "attainable", "attainable_source", "pct_attainable"]
# schema_version 3 appended scale-out and cost/energy columns; empty here (one process, no counter).
COLUMNS_V3 = COLUMNS_V2 + ["ranks", "nodes", "devices_per_node", "comm_library", "busbw_gbps",
                           "energy_source", "joules_per_item", "grid_gco2_per_kwh",
                           "gco2_per_million_items", "provider", "instance_type"]
# schema_version 4 appended device-pair and data-parallel columns; empty here (one device).
COLUMNS = COLUMNS_V3 + ["peer_device", "link", "peer_access", "scaling_efficiency"]

DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16}
BERT = {"base": (128, 768, 12, 3072), "large": (384, 1024, 16, 4096)}
# (input hw, in channels, mid, stride, out channels, projection): docs/workloads.md, resnet_block
RESNET = {
    "conv2_x-first": (56, 64, 64, 1, 256, True),
    "conv2_x-identity": (56, 256, 64, 1, 256, False),
    "conv3_x-first": (56, 256, 128, 2, 512, True),
    "conv3_x-identity": (28, 512, 128, 1, 512, False),
    "conv4_x-first": (28, 512, 256, 2, 1024, True),
    "conv4_x-identity": (14, 1024, 256, 1, 1024, False),
    "conv5_x-first": (14, 1024, 512, 2, 2048, True),
    "conv5_x-identity": (7, 2048, 512, 1, 2048, False),
}


def uniform(shape, lo, hi, dtype, gen):
    return (torch.rand(shape, generator=gen, dtype=torch.float32) * (hi - lo) + lo).to(dtype)


def bert_model(config, make, mask_dtype):
    """Post-LN encoder layer, packed QKV, as the accel workload composes it: the shapes, the input
    and parameters drawn in a fixed order through make(shape, lo, hi), and the forward pass."""
    model, seq, batch = config.split("-")
    S, H, A, FF = BERT[model]
    if seq != "s%d" % S:
        raise ValueError("unknown bert config " + config)
    B = int(batch[1:])
    D = H // A
    wh, wf = math.sqrt(3.0 / H), math.sqrt(3.0 / FF)
    x = make((B, S, H), -1, 1)
    # nn.functional.linear takes weights [out, in]
    wqkv, bqkv = make((3 * H, H), -wh, wh), make((3 * H,), -0.1, 0.1)
    wo, bo = make((H, H), -wh, wh), make((H,), -0.1, 0.1)
    w1, b1 = make((FF, H), -wh, wh), make((FF,), -0.1, 0.1)
    w2, b2 = make((H, FF), -wf, wf), make((H,), -0.1, 0.1)
    g1, be1 = make((H,), 0.5, 1.5), make((H,), -0.1, 0.1)
    g2, be2 = make((H,), 0.5, 1.5), make((H,), -0.1, 0.1)
    mask = torch.zeros((B, S), dtype=mask_dtype)
    for b in range(B):
        valid = S - 1 - (b * 13) % (S // 4)
        mask[b, valid:] = -10000.0
    mask = mask[:, None, None, :]
    scale = 1.0 / math.sqrt(D)

    def forward(inp=None):
        # inp: another input of x's shape (runtime_reference.py exports the layer with x as its input)
        xin = x if inp is None else inp
        qkv = F.linear(xin, wqkv, bqkv).view(B, S, 3, A, D).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        p = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) * scale + mask, dim=-1)
        ctx = torch.matmul(p, v).permute(0, 2, 1, 3).reshape(B, S, H)
        h1 = F.layer_norm(F.linear(ctx, wo, bo) + xin, (H,), g1, be1, 1e-12)
        f = F.gelu(F.linear(h1, w1, b1))
        return F.layer_norm(F.linear(f, w2, b2) + h1, (H,), g2, be2, 1e-12)

    flop_per_seq = 2.0 * S * H * 3 * H + 4.0 * S * S * H + 2.0 * S * H * H + 4.0 * S * H * FF
    params = [wqkv, bqkv, wo, bo, w1, b1, w2, b2, g1, be1, g2, be2]
    return dict(B=B, S=S, H=H, FF=FF, x=x, params=params, forward=forward, flop_per_seq=flop_per_seq)


def bert_layer(config, dtype, gen):
    m = bert_model(config, lambda shape, lo, hi: uniform(shape, lo, hi, dtype, gen), dtype)
    B, S, H, FF = m["B"], m["S"], m["H"], m["FF"]
    es = torch.tensor([], dtype=dtype).element_size()
    nbytes = (4 * H * H + 2 * H * FF + 2 * B * S * H) * es
    return m["forward"], dict(batch=B, flop=B * m["flop_per_seq"], bytes=nbytes, items=B, item="sequence",
                              input=m["x"])


def resnet_block(config, dtype, gen):
    parts = config.split("-")
    block, batch, layout = "-".join(parts[:2]), parts[2], parts[3]
    hw, cin, mid, stride, cout, proj = RESNET[block]
    N = int(batch[1:])
    fmt = torch.channels_last if layout == "nhwc" else torch.contiguous_format
    if layout not in ("nchw", "nhwc"):
        raise ValueError("unknown layout " + layout)

    def weight(k, c, r):
        a = math.sqrt(3.0 / (c * r * r))
        return uniform((k, c, r, r), -a, a, dtype, gen).contiguous(memory_format=fmt)

    x = uniform((N, cin, hw, hw), 0, 1, dtype, gen).contiguous(memory_format=fmt)
    w1, b1 = weight(mid, cin, 1), uniform((mid,), -0.1, 0.1, dtype, gen)
    w2, b2 = weight(mid, mid, 3), uniform((mid,), -0.1, 0.1, dtype, gen)
    w3, b3 = weight(cout, mid, 1), uniform((cout,), -0.1, 0.1, dtype, gen)
    wp, bp = (weight(cout, cin, 1), uniform((cout,), -0.1, 0.1, dtype, gen)) if proj else (None, None)

    def run(inp=None):
        xin = x if inp is None else inp  # as bert_model's forward
        t = F.relu(F.conv2d(xin, w1, b1))
        t = F.relu(F.conv2d(t, w2, b2, stride=stride, padding=1))
        sc = F.conv2d(xin, wp, bp, stride=stride) if proj else xin
        return F.relu(F.conv2d(t, w3, b3) + sc)

    ho = hw // stride
    macs = hw * hw * cin * mid + ho * ho * mid * mid * 9 + ho * ho * mid * cout
    if proj:
        macs += ho * ho * cin * cout
    es = torch.tensor([], dtype=dtype).element_size()
    nbytes = (N * cin * hw * hw + cin * mid + 9 * mid * mid + mid * cout +
              (cin * cout if proj else 0) + N * cout * ho * ho) * es
    return run, dict(batch=N, flop=2.0 * macs * N, bytes=nbytes, items=N, item="image", input=x)


def gemm(config, dtype, gen):
    n = int(config)  # square configs only
    a = uniform((n, n), -1, 1, dtype, gen)
    b = uniform((n, n), -1, 1, dtype, gen)

    def run():
        return torch.matmul(a, b)

    es = torch.tensor([], dtype=dtype).element_size()
    return run, dict(batch=1, m=n, n=n, k=n, flop=2.0 * n ** 3, bytes=3 * n * n * es, items=1,
                     item="gemm")


WORKLOADS = {"bert_layer": bert_layer, "resnet_block": resnet_block, "gemm": gemm}


# Training steps (-train configs): docs/workloads.md "Training steps". Parameters are fp32 leaf
# tensors (the master weights); bf16 runs the forward under torch.autocast, as AMP does, so the
# matmuls and convolutions see bf16 copies made each step and the optimizer updates fp32.
TRAIN_DTYPES = ("fp32", "tf32", "bf16", "fp16")
ADAMW = dict(lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)


def train_unsupported(dtype):
    """Why this machine cannot run a training step in dtype, or None when it can (CPU only here)."""
    if dtype == "tf32":
        return "tf32 is a GPU tensor-core format; CPUs have no tf32 math (torch.backends.cuda only)"
    if dtype == "fp16":
        return ("fp16 AMP (autocast fp16 with a GradScaler) is not run on the CPU by this script: "
                "torch before 2.4 autocasts the CPU to bf16 only, and CPUs without AVX512-FP16 or "
                "AMX-FP16 have no fp16 matmul to time")
    return None


def make_adamw(params):
    """Fused AdamW where this torch has it on the CPU, else foreach (multi-tensor), else the loop."""
    for kind in ("fused", "foreach"):
        try:  # torch < 2.0 has no fused flag (TypeError); 2.0-2.3 refuse fused on CPU tensors
            return torch.optim.AdamW(params, **ADAMW, **{kind: True}), kind
        except (RuntimeError, TypeError, ValueError):
            continue
    return torch.optim.AdamW(params, **ADAMW), "for-loop"


def train_step(forward, params, inputs, dout, dtype):
    """One training step closure: forward (autocast for bf16), backward from dout, AdamW, zero_grad."""
    for p in params:
        p.grad = None
    opt, kind = make_adamw(params)
    autocast = dtype == "bf16"

    def run():
        if autocast:
            with torch.autocast("cpu", dtype=torch.bfloat16):
                out = forward()
        else:
            out = forward()
        out.backward(dout if out.dtype == dout.dtype else dout.to(out.dtype))
        opt.step()
        opt.zero_grad(set_to_none=True)
        for t in inputs:  # the input gradient is part of the step; do not let it accumulate
            t.grad = None

    return run, "AdamW %s" % kind


def param(shape, lo, hi, gen):
    return uniform(shape, lo, hi, torch.float32, gen).requires_grad_(True)


def bert_layer_train(config, dtype, gen):
    """Post-LN encoder layer training step: forward, out.backward(dout), AdamW, zero_grad."""
    m = bert_model(config, lambda shape, lo, hi: param(shape, lo, hi, gen), torch.float32)
    B, S, H = m["B"], m["S"], m["H"]
    T = B * S
    dout = uniform((B, S, H), -1.0 / T, 1.0 / T, torch.float32, gen)
    run, opt = train_step(m["forward"], m["params"], [m["x"]], dout, dtype)
    return run, dict(batch=B, flop=3.0 * m["flop_per_seq"] * B, bytes=0, items=B, item="sample",
                     notes="post-LN layer, GELU erf, " + opt)


def resnet_block_train(config, dtype, gen):
    """Identity bottleneck training step: conv1x1-BN-ReLU-conv3x3-BN-ReLU-conv1x1-BN-+x-ReLU, BN in
    training mode (batch statistics, running averages with momentum 0.1), convolutions without bias."""
    parts = config.split("-")
    if len(parts) != 4 or parts[3] not in ("nchw", "nhwc"):
        raise ValueError("expected <block>-b<N>-<nchw|nhwc>-train")
    block, batch, layout = "-".join(parts[:2]), parts[2], parts[3]
    hw, cin, mid, stride, cout, proj = RESNET[block]
    if proj:
        raise ValueError("training configs are the identity blocks only")
    N = int(batch[1:])
    fmt = torch.channels_last if layout == "nhwc" else torch.contiguous_format

    def weight(k, c, r):
        a = math.sqrt(3.0 / (c * r * r))
        return uniform((k, c, r, r), -a, a, torch.float32, gen).contiguous(
            memory_format=fmt).requires_grad_(True)

    x = uniform((N, cin, hw, hw), 0, 1, torch.float32, gen).contiguous(memory_format=fmt).requires_grad_(True)
    w1, w2, w3 = weight(mid, cin, 1), weight(mid, mid, 3), weight(cout, mid, 1)
    bn = [(param((c,), 0.5, 1.5, gen), param((c,), -0.1, 0.1, gen), torch.zeros(c), torch.ones(c))
          for c in (mid, mid, cout)]
    px = N * hw * hw
    dout = uniform((N, cout, hw, hw), -1.0 / px, 1.0 / px, torch.float32, gen).contiguous(memory_format=fmt)

    def norm(t, i):
        g, b, mean, var = bn[i]
        return F.batch_norm(t, mean, var, g, b, training=True, momentum=0.1, eps=1e-5)

    def forward():
        t = F.relu(norm(F.conv2d(x, w1), 0))
        t = F.relu(norm(F.conv2d(t, w2, padding=1), 1))
        return F.relu(norm(F.conv2d(t, w3), 2) + x)

    params = [w1, w2, w3] + [p for g, b, _, _ in bn for p in (g, b)]
    run, opt = train_step(forward, params, [x], dout, dtype)
    macs = hw * hw * (cin * mid + 9 * mid * mid + mid * cout)
    return run, dict(batch=N, flop=3.0 * 2.0 * macs * N, bytes=0, items=N, item="sample",
                     notes="BN training mode, " + opt)


TRAIN_WORKLOADS = {"bert_layer": bert_layer_train, "resnet_block": resnet_block_train}


def measure(run, warmup_ms, min_time_ms, min_samples, max_samples):
    """Untimed warm-up (>= 2 runs and warmup_ms), then samples each batching enough runs to last
    >= 20 ms, until min_samples and min_time_ms are both reached (docs/cli.md, measurement)."""
    start = time.perf_counter()
    runs = 0
    while runs < 2 or (time.perf_counter() - start) * 1e3 < warmup_ms:
        run()
        runs += 1
    warm_ms = (time.perf_counter() - start) * 1e3
    per_run = warm_ms / runs
    batch = max(1, int(math.ceil(20.0 / max(per_run, 1e-6))))
    samples = []
    t_start = time.perf_counter()
    while len(samples) < max_samples and (
            len(samples) < min_samples or (time.perf_counter() - t_start) * 1e3 < min_time_ms):
        t0 = time.perf_counter()
        for _ in range(batch):
            run()
        samples.append((time.perf_counter() - t0) * 1e3 / batch)
    return samples, warm_ms


def percentile(sorted_values, p):
    if len(sorted_values) == 1:
        return sorted_values[0]
    pos = p / 100.0 * (len(sorted_values) - 1)
    lo = int(math.floor(pos))
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "cpu"


def open_csv(path):
    """Rows appended to an existing results file take that file's column set and schema_version
    (1 to 4, as accelbench run does), so ours and torch's rows can share one file; a new file
    gets the newest schema. Returns (file, writer, schema_version) or raises ValueError."""
    columns, version = COLUMNS, "4"
    if os.path.exists(path) and os.path.getsize(path) > 0:
        with open(path, newline="") as f:
            header = next(csv.reader(f), [])
        if header == COLUMNS_V1:
            columns, version = COLUMNS_V1, "1"
        elif header == COLUMNS_V2:
            columns, version = COLUMNS_V2, "2"
        elif header == COLUMNS_V3:
            columns, version = COLUMNS_V3, "3"
        elif header != COLUMNS:
            raise ValueError("%s: its header is not an accelbench results header of schema_version "
                             "1 to 4; refusing to append" % path)
        new_file = False
    else:
        new_file = True
    f = open(path, "a", newline="")
    w = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore", quoting=csv.QUOTE_MINIMAL)
    if new_file:
        w.writeheader()
    return f, w, version


def timing_fields(meta, samples, warm_ms):
    """The size and timing columns of a row from a workload's meta and measure()'s samples
    (runtime_reference.py writes its rows through this too)."""
    s = sorted(samples)
    med = statistics.median(s)
    mean = statistics.fmean(s)
    sd = statistics.stdev(s) if len(s) > 1 else 0.0
    return {
        "batch": meta.get("batch", ""),
        "m": meta.get("m", ""), "n": meta.get("n", ""), "k": meta.get("k", ""),
        "flop": "%.0f" % meta["flop"], "bytes": "%.0f" % meta["bytes"], "cache": "warm",
        "warmup_ms": "%.0f" % warm_ms, "samples": len(s), "timer": "perf_counter",
        "median_ms": "%.6g" % med, "min_ms": "%.6g" % s[0], "mean_ms": "%.6g" % mean,
        "p5_ms": "%.6g" % percentile(s, 5), "p95_ms": "%.6g" % percentile(s, 95),
        "stddev_ms": "%.6g" % sd, "cov": "%.6g" % (sd / mean if mean else 0),
        "tflops": "%.6g" % (meta["flop"] / (med * 1e-3) / 1e12),
        "gbps": "%.6g" % (meta["bytes"] / (med * 1e-3) / 1e9) if meta["bytes"] else "",
        "items_per_s": "%.6g" % (meta["items"] / (med * 1e-3)), "item": meta["item"],
    }


def base_row(args, run_id, version, config, dtype):
    row = dict.fromkeys(COLUMNS, "")
    row.update({
        "schema_version": version, "run_id": run_id,
        "timestamp_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "hostname": socket.gethostname(), "tags": ";".join(args.tag),
        "backend": "cpu", "device_index": 0, "device_name": cpu_name(),
        "runtime_version": "torch " + torch.__version__, "library": "pytorch",
        "workload": args.workload, "config": config, "dtype": dtype,
        "compute_type": "f32" if dtype == "fp32" else dtype,
    })
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workload", required=True, choices=sorted(WORKLOADS))
    ap.add_argument("--config", required=True, help="comma-separated config ids")
    ap.add_argument("--dtype", default="fp32", help="comma-separated: fp32,bf16 (-train: also tf32,fp16)")
    ap.add_argument("--csv", required=True, help="CSV file to append rows to (header written if new)")
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="torch threads (default: nproc)")
    ap.add_argument("--warmup-ms", type=float, default=200.0)
    ap.add_argument("--min-time-ms", type=float, default=500.0)
    ap.add_argument("--min-samples", type=int, default=10)
    ap.add_argument("--max-samples", type=int, default=200)
    ap.add_argument("--tag", action="append", default=[], help="key=value, copied to the tags column")
    args = ap.parse_args()

    configs = args.config.split(",")
    dtypes = args.dtype.split(",")
    training = any(c.endswith("-train") for c in configs)
    for d in dtypes:
        if d not in TRAIN_DTYPES or (d not in DTYPES and not all(c.endswith("-train") for c in configs)):
            ap.error("dtype %s is not supported here (fp32, bf16%s)" % (d, "; -train configs also tf32, fp16"
                                                                       if training else ""))
    if training and args.workload not in TRAIN_WORKLOADS:
        ap.error("%s has no -train configs" % args.workload)
    torch.set_num_threads(args.threads)
    run_id = str(uuid.uuid4())
    try:
        f, w, version = open_csv(args.csv)
    except (OSError, ValueError) as e:
        sys.stderr.write("torch_reference.py: %s\n" % e)
        return 2
    status = 0
    with f:
        for config in configs:
            train = config.endswith("-train")
            for d in dtypes:
                row = base_row(args, run_id, version, config, d)
                reason = train_unsupported(d) if train else None
                if reason:
                    row.update(status="unsupported", notes="PyTorch training step: " + reason)
                    w.writerow(row)
                    f.flush()
                    print("pytorch %s %s %s: unsupported (%s)" % (args.workload, config, d, reason))
                    continue
                gen = torch.Generator().manual_seed(42)
                try:
                    if train:
                        run, meta = TRAIN_WORKLOADS[args.workload](config[:-len("-train")], d, gen)
                    else:
                        run, meta = WORKLOADS[args.workload](config, DTYPES[d], gen)
                except (KeyError, ValueError, IndexError) as e:
                    sys.stderr.write("torch_reference.py: unknown config %s for %s (%s)\n"
                                     % (config, args.workload, e))
                    status = 2
                    continue
                if train:  # autograd on: the step's backward needs the graph
                    samples, warm_ms = measure(run, args.warmup_ms, args.min_time_ms,
                                               args.min_samples, args.max_samples)
                else:
                    with torch.inference_mode():
                        samples, warm_ms = measure(run, args.warmup_ms, args.min_time_ms,
                                                   args.min_samples, args.max_samples)
                layout = ", channels_last" if "-nhwc" in config else ""
                if train:
                    notes = "PyTorch eager training step (%s), %s, %d threads%s" % (
                        "bf16 autocast, fp32 master weights" if d == "bf16" else "fp32",
                        meta["notes"], torch.get_num_threads(), layout)
                else:
                    notes = "PyTorch eager, inference_mode, %d threads, nn.functional ops%s" % (
                        torch.get_num_threads(), layout)
                if OPENBLAS_NOTE:
                    notes += "; " + OPENBLAS_NOTE
                row.update(timing_fields(meta, samples, warm_ms))
                row.update(verified="", status="ok", notes=notes)
                w.writerow(row)
                f.flush()
                print("pytorch %s %s %s: median %s ms, %s TFLOP/s" % (
                    args.workload, config, d, row["median_ms"], row["tflops"]))
    return status


if __name__ == "__main__":
    sys.exit(main())
