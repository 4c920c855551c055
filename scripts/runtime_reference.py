#!/usr/bin/python3
"""onnxruntime and OpenVINO reference rows for accelbench on the CPU (the anchors of
scripts/compare_runtimes.sh).

Builds each layer from scripts/torch_reference.py's definition (the same one the PyTorch rows use:
same shapes, same weight and input distributions, same FLOP counting), exports it to ONNX with the
input as the graph input and the weights as initializers, runs it in each runtime with the given
thread count and torch_reference.py's warm-up/sampling policy, and appends rows in accelbench's CSV
schema with library=onnxruntime / openvino.

Precisions: fp32 in both runtimes; bf16 in OpenVINO through INFERENCE_PRECISION_HINT=bf16 on the
fp32 model (as OpenVINO users run bf16: the runtime converts weights once at compile time and
computes in bf16 where the CPU has it). onnxruntime's CPU execution provider has no bf16 MatMul or
Conv kernels, so its bf16 rows are `unsupported`, never a timing of something else.

Layouts: ONNX convolutions are NCHW. The -nchw rows feed that model as it is (the runtimes reorder
into their blocked layouts inside the graph, as they would for any NCHW model); the -nhwc rows feed
an NHWC tensor to a model that transposes to NCHW and back at its edges (what exporting a
channels_last model gives), so their time includes whatever those transposes cost the runtime.

Every row is checked once against the PyTorch fp32 forward on the same input: max_rel_err is
max|runtime - torch| / max|torch|; over the tolerance (fp32 1e-3, bf16 5e-2) the row is
failed_verification (still timed, as accelbench run writes its failed rows), so a broken export or
an inaccurate runtime mode never passes as a fast runtime.

Supported configs: bert_layer base-s128-b{1,8,32}, large-s384-b{1,8,32}; resnet_block
<block>-b<N>-{nchw,nhwc} (torch_reference.py lists them). Needs torch (for the export) and the
runtimes; compare_runtimes.sh makes a venv with both. Exit status 2 on bad arguments or when a
requested runtime is not importable.
"""
import argparse
import os
import sys
import tempfile
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_reference as tr  # noqa: E402  (exits 2 with its message when torch is missing)

torch = tr.torch
WORKLOADS = ("bert_layer", "resnet_block")
DTYPES = ("fp32", "bf16")
TOLERANCE = {"fp32": 1e-3, "bf16": 5e-2}


class Unsupported(Exception):
    """The runtime cannot run this case on this machine; the message says why."""


class Case:
    """One layer at one config: the fp32 PyTorch module and input it is exported from, the row's
    meta (FLOP, items), and the ONNX file, written on first use."""

    def __init__(self, workload, config, tmpdir):
        self.workload, self.config = workload, config
        gen = torch.Generator().manual_seed(42)  # torch_reference.py's seed: the same draws
        forward, meta = tr.WORKLOADS[workload](config, torch.float32, gen)
        x = meta.pop("input")
        self.layout = "nhwc" if config.endswith("-nhwc") else ""
        if self.layout:  # the graph input is NHWC; the model transposes at its edges
            self.forward = lambda t: forward(t.permute(0, 3, 1, 2)).permute(0, 2, 3, 1)
            x = x.permute(0, 2, 3, 1).contiguous()
        else:
            self.forward = forward
        self.input = x.contiguous()
        self.meta = meta
        self._tmpdir = tmpdir
        self._onnx = None
        with torch.inference_mode():
            self.expected = self.forward(self.input).float().numpy()

    def onnx(self):
        if self._onnx is None:
            path = os.path.join(self._tmpdir, "%s-%s.onnx" % (self.workload, self.config))
            fwd = self.forward

            class Layer(torch.nn.Module):
                def forward(self, x):
                    return fwd(x)

            with torch.no_grad():
                torch.onnx.export(Layer(), (self.input,), path, input_names=["x"],
                                  output_names=["y"], opset_version=14, do_constant_folding=True)
            self._onnx = path
        return self._onnx


class OnnxRuntime:
    name = "onnxruntime"

    def __init__(self):
        import onnxruntime
        self.ort = onnxruntime
        self.version = "onnxruntime " + onnxruntime.__version__

    def prepare(self, case, dtype, threads):
        if dtype != "fp32":
            raise Unsupported("onnxruntime's CPU execution provider has no bf16 MatMul/Conv kernels")
        ort = self.ort
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        sess = ort.InferenceSession(case.onnx(), so, providers=["CPUExecutionProvider"])
        feed = {sess.get_inputs()[0].name: case.input.numpy()}
        return (lambda: sess.run(None, feed)[0],
                "%s, CPUExecutionProvider, ORT_ENABLE_ALL, %d intra-op threads" % (self.version, threads))


class OpenVino:
    name = "openvino"

    def __init__(self):
        import openvino
        self.ov = openvino
        self.core = openvino.Core()
        self.version = "openvino " + openvino.__version__.split("-")[0]

    def prepare(self, case, dtype, threads):
        caps = self.core.get_property("CPU", "OPTIMIZATION_CAPABILITIES")
        cap, hint, want = {"fp32": ("FP32", "f32", self.ov.Type.f32),
                           "bf16": ("BF16", "bf16", self.ov.Type.bf16)}[dtype]
        if cap not in caps:
            raise Unsupported("OpenVINO's CPU plugin lists no %s on this CPU (OPTIMIZATION_CAPABILITIES: %s)"
                              % (cap, ",".join(caps)))
        config = {"INFERENCE_NUM_THREADS": threads, "NUM_STREAMS": 1, "PERFORMANCE_HINT": "LATENCY",
                  "INFERENCE_PRECISION_HINT": hint}
        compiled = self.core.compile_model(self.core.read_model(case.onnx()), "CPU", config)
        got = compiled.get_property("INFERENCE_PRECISION_HINT")
        if got != want:  # the plugin may fall back (e.g. to f32 where bf16 is not usable)
            raise Unsupported("OpenVINO compiled the model with inference precision %s, not %s" % (got, hint))
        req = compiled.create_infer_request()
        x = case.input.numpy()

        def run():
            req.infer({0: x})
            return req.get_output_tensor(0).data

        return run, "%s, CPU plugin, LATENCY hint, 1 stream, %d threads, inference precision %s" % (
            self.version, threads, hint)


RUNTIMES = {"onnxruntime": OnnxRuntime, "openvino": OpenVino}


def max_rel_err(got, expected):
    import numpy as np
    got = np.asarray(got, dtype=np.float32).reshape(expected.shape)
    scale = float(np.max(np.abs(expected))) or 1.0
    return float(np.max(np.abs(got - expected))) / scale


def measure_row(args, run_id, version, runtime, case, dtype):
    """One row: unsupported (with the reason), failed_verification, or ok with the timing."""
    row = tr.base_row(args, run_id, version, case.config, dtype)
    row.update(library=runtime.name, runtime_version=runtime.version)
    try:
        run, setup = runtime.prepare(case, dtype, args.threads)
    except Unsupported as e:
        row.update(status="unsupported", notes="%s: %s" % (runtime.name, e))
        return row
    err = max_rel_err(run(), case.expected)
    tol = TOLERANCE[dtype]
    row.update(max_rel_err="%.3g" % err, tolerance="%g" % tol)
    layout = "; NHWC input, transposes at the model's edges" if case.layout else ""
    notes = "%s; ONNX export of torch_reference.py's layer%s; max_rel_err vs PyTorch fp32" % (setup, layout)
    # timed either way, as accelbench run writes a failed row with its timing
    samples, warm_ms = tr.measure(run, args.warmup_ms, args.min_time_ms, args.min_samples, args.max_samples)
    row.update(tr.timing_fields(case.meta, samples, warm_ms))
    if err <= tol:
        row.update(verified="true", status="ok", notes=notes)
    else:
        row.update(verified="false", status="failed_verification", notes=notes)
    return row


def parse_args(argv, runtimes):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workload", required=True, choices=WORKLOADS)
    ap.add_argument("--config", required=True, help="comma-separated config ids")
    ap.add_argument("--dtype", default="fp32", help="comma-separated: fp32,bf16")
    ap.add_argument("--runtime", default="onnxruntime,openvino",
                    help="comma-separated: " + ",".join(RUNTIMES))
    ap.add_argument("--csv", required=True, help="CSV file to append rows to (header written if new)")
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="runtime threads (default: nproc)")
    ap.add_argument("--warmup-ms", type=float, default=200.0)
    ap.add_argument("--min-time-ms", type=float, default=500.0)
    ap.add_argument("--min-samples", type=int, default=10)
    ap.add_argument("--max-samples", type=int, default=200)
    ap.add_argument("--tag", action="append", default=[], help="key=value, copied to the tags column")
    args = ap.parse_args(argv)
    for d in args.dtype.split(","):
        if d not in DTYPES:
            ap.error("dtype %s is not supported here (fp32, bf16)" % d)
    for r in args.runtime.split(","):
        if r not in runtimes:
            ap.error("runtime %s: use %s" % (r, ", ".join(runtimes)))
    if args.threads < 1:
        ap.error("--threads must be at least 1")
    return args


def main(argv=None, runtimes=None):
    """runtimes: {name: class} to use instead of RUNTIMES (the tests pass a fake one)."""
    available = runtimes or RUNTIMES
    args = parse_args(argv, available)
    chosen = []
    for name in args.runtime.split(","):
        try:
            chosen.append(available[name]())
        except ImportError as e:
            sys.stderr.write("runtime_reference.py: %s is not importable from %s (%s); "
                             "scripts/compare_runtimes.sh installs it into a venv\n" % (name, sys.executable, e))
            return 2
    torch.set_num_threads(args.threads)  # the export and the PyTorch check, not the runtimes
    run_id = str(uuid.uuid4())
    try:
        f, w, version = tr.open_csv(args.csv)
    except (OSError, ValueError) as e:
        sys.stderr.write("runtime_reference.py: %s\n" % e)
        return 2
    status = 0
    with f, tempfile.TemporaryDirectory(prefix="accel-runtimes-") as tmpdir:
        for config in args.config.split(","):
            try:
                case = Case(args.workload, config, tmpdir)
            except (KeyError, ValueError, IndexError) as e:
                sys.stderr.write("runtime_reference.py: unknown config %s for %s (%s)\n"
                                 % (config, args.workload, e))
                status = 2
                continue
            for runtime in chosen:
                for d in args.dtype.split(","):
                    row = measure_row(args, run_id, version, runtime, case, d)
                    if row["status"] == "failed_verification":
                        status = status or 1  # as accelbench run: the row is written, the exit says it
                    w.writerow(row)
                    f.flush()
                    print("%s %s %s %s: %s" % (runtime.name, args.workload, config, d,
                                               "median %s ms, %s TFLOP/s" % (row["median_ms"], row["tflops"])
                                               if row["status"] == "ok" else row["status"] + " (" + row["notes"] + ")"))
    return status


if __name__ == "__main__":
    sys.exit(main())
