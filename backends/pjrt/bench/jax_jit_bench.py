#!/usr/bin/env python3
"""XLA driven by jax.jit, for the cases of pjrt_dispatch_bench, timed the same way.

    PLUGIN=<pjrt plugin .so> python3 jax_jit_bench.py [--iters N] [--rounds R] [--client plugin|builtin]

jax loads the same PJRT plugin file the pjrt backend loads (jax's register_plugin; --client
builtin uses jaxlib's own XLA:CPU client instead, the same compiler when the versions match) and
runs each case as a jitted function: N calls back to back, then a wait for every result, per
round; the median over R rounds of the time per call is printed in pjrt_dispatch_bench's units
(ms per execution). Inputs are on the device before timing and are not donated (the usual jax
call: each result is a fresh buffer). A benchmark, not a test; scripts/compare_jax.sh runs it
beside pjrt_dispatch_bench and prints the ratios.
"""
import argparse
import os
import statistics
import sys
import time


def cases(jnp, rng):
    """(name, function, inputs): the pjrt_dispatch_bench cases, in its order and naming."""
    def f32(*shape):
        return rng.uniform(-0.5, 0.5, size=shape).astype("float32")

    def bf16(*shape):
        return jnp.asarray(f32(*shape), dtype=jnp.bfloat16)

    def gemm_bias(a, b, bias):
        # bf16 in, fp32 accumulation, bias added in fp32, bf16 out: what the backend's module does.
        acc = jnp.matmul(a, b, preferred_element_type=jnp.float32)
        return (acc + bias.astype(jnp.float32)).astype(jnp.bfloat16)

    return [
        ("eltwise add 4096 f32", lambda a, b: a + b, (f32(4096), f32(4096))),
        ("eltwise add 4M f32", lambda a, b: a + b, (f32(1 << 22), f32(1 << 22))),
        ("gemm 128 f32", jnp.matmul, (f32(128, 128), f32(128, 128))),
        ("gemm 1024 f32", jnp.matmul, (f32(1024, 1024), f32(1024, 1024))),
        ("gemm 1024 bf16 +bias", gemm_bias, (bf16(1024, 1024), bf16(1024, 1024), bf16(1024))),
    ]


def time_case(jax, fn, args, iters, rounds):
    jitted = jax.jit(fn)
    for _ in range(3):  # compile and warm
        jitted(*args).block_until_ready()
    per_call = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        outs = [jitted(*args) for _ in range(iters)]
        for o in outs:
            o.block_until_ready()
        per_call.append((time.perf_counter() - t0) * 1e3 / iters)
    return statistics.median(per_call)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--iters", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--client", choices=("plugin", "builtin"), default="plugin")
    args = ap.parse_args()
    if args.iters < 1 or args.rounds < 1:
        ap.error("--iters and --rounds must be >= 1")
    try:
        import jax
        import jax.numpy as jnp
        import numpy as np
    except ImportError as e:
        sys.exit(f"jax_jit_bench: {e} (scripts/compare_jax.sh installs jax into .deps/jax-venv)")
    platform = "cpu"
    if args.client == "plugin":
        plugin = os.environ.get("PLUGIN") or os.environ.get("ACCEL_PJRT_PLUGIN", "").split(":")[0]
        if not plugin or not os.path.isfile(plugin):
            sys.exit("jax_jit_bench: set PLUGIN to the PJRT plugin file (scripts/install-pjrt-plugin.sh prints it)")
        from jax._src import xla_bridge  # register_plugin is how jax loads a PJRT plugin by path
        platform = "accel_pjrt_plugin"
        xla_bridge.register_plugin(platform, library_path=plugin)
    device = jax.devices(platform)[0]
    rng = np.random.default_rng(12345)
    print(f"jax {jax.__version__} on {platform} ({device}); {args.iters} calls per round, median of "
          f"{args.rounds} rounds; ms per execution")
    print(f"{'case':<22} {'jax.jit':>10}")
    with jax.default_device(device):
        for name, fn, host_args in cases(jnp, rng):
            dev_args = [jax.device_put(a, device) for a in host_args]
            ms = time_case(jax, fn, dev_args, args.iters, args.rounds)
            print(f"{name:<22} {ms:10.4f}", flush=True)


if __name__ == "__main__":
    main()
