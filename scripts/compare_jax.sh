#!/usr/bin/env bash
# XLA:CPU three ways, on the same PJRT plugin file: through our HAL (the pjrt backend), driven
# directly through the PJRT C API, and by jax.jit. A benchmark (docs/backend-pjrt.md, Performance).
#
#   scripts/compare_jax.sh [--build DIR] [--iters N] [--rounds R] [--repeat K]
#
# Installs the CPU plugin (scripts/install-pjrt-plugin.sh) and jax/jaxlib of the plugin's version
# (the same XLA) into .deps/jax-venv, with a Python that version of jax supports (>= 3.12 for
# 0.11.2: $JAX_PYTHON, python3.12/3.13 on PATH, or pyenv's). Then runs DIR/bin/pjrt_dispatch_bench
# and backends/pjrt/bench/jax_jit_bench.py alternately K times (default 3), so both see the same
# machine load, and prints the median ms per execution of each and the ratios (1.0 = as fast as
# the other; above 1 = the HAL is faster).
set -euo pipefail
cd "$(dirname "$0")/.."
build=build iters=50 rounds=7 repeat=3
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --iters) iters=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "compare_jax.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for n in "$iters" "$rounds" "$repeat"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "compare_jax.sh: counts must be positive integers" >&2; exit 2; }
done
bench="$build/bin/pjrt_dispatch_bench"
[ -x "$bench" ] || { echo "compare_jax.sh: $bench not built (cmake --build $build)" >&2; exit 2; }

plugin=$(scripts/install-pjrt-plugin.sh)
version=$(sed -n 's/^Version: //p' "$(dirname "$plugin")"/../lammps_jax_pjrt_cpu-*.dist-info/METADATA | head -1)
venv=.deps/jax-venv
if ! "$venv/bin/python" -c "import jax, sys; sys.exit(jax.__version__ != '$version')" 2>/dev/null; then
  py=${JAX_PYTHON:-}
  if [ -z "$py" ]; then
    for c in python3.13 python3.12 "$HOME"/.pyenv/versions/3.13*/bin/python "$HOME"/.pyenv/versions/3.12*/bin/python; do
      if command -v "$c" >/dev/null 2>&1; then py=$c; break; fi
    done
  fi
  [ -n "$py" ] || { echo "compare_jax.sh: jax $version needs Python >= 3.12; set JAX_PYTHON" >&2; exit 2; }
  rm -rf "$venv"
  "$py" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "jax==$version" "jaxlib==$version" >&2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "plugin: $plugin (jax/jaxlib $version); $repeat alternating runs of $iters executions x $rounds rounds" >&2
for k in $(seq "$repeat"); do
  ACCEL_PJRT_PLUGIN="$plugin" "$bench" --iters "$iters" --rounds "$rounds" > "$tmp/hal.$k"
  PLUGIN="$plugin" "$venv/bin/python" backends/pjrt/bench/jax_jit_bench.py --iters "$iters" \
    --rounds "$rounds" 2>/dev/null > "$tmp/jax.$k"
done
python3 - "$tmp" "$repeat" <<'EOF'
import re, statistics, sys
tmp, repeat = sys.argv[1], int(sys.argv[2])
row = re.compile(r"^(\S.*?\S)\s{2,}(-?[0-9.]+)\s+(-?[0-9.]+)\s+[0-9.]+x")
jrow = re.compile(r"^(\S.*?\S)\s{2,}([0-9.]+)$")
direct, hal, jax = {}, {}, {}
for k in range(1, repeat + 1):
    for line in open(f"{tmp}/hal.{k}"):
        m = row.match(line)
        if m:
            direct.setdefault(m[1], []).append(float(m[2]))
            hal.setdefault(m[1], []).append(float(m[3]))
    for line in open(f"{tmp}/jax.{k}"):
        m = jrow.match(line)
        if m:
            jax.setdefault(m[1], []).append(float(m[2]))
if not hal or set(hal) != set(jax):
    sys.exit(f"compare_jax.sh: the two benchmarks did not report the same cases ({sorted(hal)} / {sorted(jax)})")
print(f"| case | direct PJRT ms | HAL ms | jax.jit ms | direct/HAL | jax.jit/HAL |")
print("|---|---|---|---|---|---|")
for case in hal:
    d, h, j = (statistics.median(v[case]) for v in (direct, hal, jax))
    print(f"| {case} | {d:.4f} | {h:.4f} | {j:.4f} | {d / h:.3f}x | {j / h:.3f}x |")
EOF
