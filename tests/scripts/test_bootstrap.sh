#!/usr/bin/env bash
# scripts/cloud/bootstrap.sh.
#   test_bootstrap.sh dry                 the plan on this machine and on a made-up Ubuntu 22.04
#                                         with ROCm, NVIDIA and Gaudi tools; bad usage; nothing
#                                         may be created
#   test_bootstrap.sh run ACCELBENCH PY   a real run on this machine's CPU (a short budget, two
#                                         rows), the pack's contents, then compare.py on it
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
script=$root/scripts/cloud/bootstrap.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
has() { grep -qF -- "$2" <<<"$1" || fail "$3: output lacks '$2'"; }
lacks() { ! grep -qF -- "$2" <<<"$1" || fail "$3: output has '$2'"; }

dry() {
  mkdir "$tmp/cwd"
  # Whether this machine can install (root or password-less sudo, and apt-get): CI can, a GPU
  # host running the tests as a user may not; the plan differs and says why.
  local can_install=0
  if command -v apt-get >/dev/null && { [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }; then can_install=1; fi
  # This machine, as it is.
  local out
  out=$(cd "$tmp/cwd" && "$script" --dry-run --price-per-hour 1.25 --grid-gco2-per-kwh 300 \
        --out "$tmp/cwd/res" -- --backend cpu) || fail "dry run exit $?"
  has "$out" "dry run: the plan, nothing is changed" "dry run"
  has "$out" "== 1. install packages" "dry run"
  if [ "$can_install" = 1 ]; then
    has "$out" "scripts/install-deps.sh --skip-unavailable build-essential cmake" "dry run"
  else
    has "$out" "skipped: " "dry run without root or apt-get"
  fi
  has "$out" "+ cmake -S $root -B build-cloud" "dry run"
  has "$out" "+ cmake --build build-cloud" "dry run"
  has "$out" "+ build-cloud/bin/accelbench suite --budget 10m --csv $tmp/cwd/res/results.csv --json $tmp/cwd/res/results.json --price-per-hour 1.25 --grid-gco2-per-kwh 300 --backend cpu" "dry run"
  has "$out" "scripts/plot.py --quiet --out $tmp/cwd/res/plots $tmp/cwd/res/results.csv" "dry run"
  has "$out" "+ build-cloud/bin/accelbench info --json > $tmp/cwd/res/env/info.json" "dry run"
  has "$out" "+ tar -czf $tmp/cwd/res.tar.gz -C $tmp/cwd res" "dry run"
  [ -z "$(ls -A "$tmp/cwd")" ] || fail "dry run created $(ls -A "$tmp/cwd")"

  # A made-up Ubuntu 22.04 GPU image: ROCm in /opt/rocm, nvidia-smi and hl-smi on PATH.
  local sys=$tmp/sys
  mkdir -p "$sys/etc" "$sys/opt/rocm/.info" "$tmp/bin"
  printf 'ID=ubuntu\nVERSION_ID="22.04"\nPRETTY_NAME="Ubuntu 22.04.4 LTS"\n' >"$sys/etc/os-release"
  echo 6.1.2 >"$sys/opt/rocm/.info/version"
  printf '#!/bin/sh\necho "Fictional GPU, 550.54"\necho "Fictional GPU, 550.54"\n' >"$tmp/bin/nvidia-smi"
  printf '#!/bin/sh\necho hl-smi\n' >"$tmp/bin/hl-smi"
  chmod +x "$tmp/bin/nvidia-smi" "$tmp/bin/hl-smi"
  out=$(cd "$tmp/cwd" && PATH="$tmp/bin:$PATH" ACCEL_BOOTSTRAP_SYSROOT=$sys "$script" --dry-run \
        --budget 90s --out res) || fail "ubuntu dry run exit $?"
  has "$out" "OS: Ubuntu 22.04.4 LTS" "ubuntu"
  has "$out" "NVIDIA driver: nvidia-smi found (2 Fictional GPU, 550.54)" "ubuntu"
  has "$out" "ROCm: /opt/rocm 6.1.2" "ubuntu"
  has "$out" "Gaudi: hl-smi found" "ubuntu"
  if [ "$can_install" = 1 ]; then
    has "$out" "libclang-common-14-dev" "ubuntu: clang 14's runtime under its 22.04 name"
    lacks "$out" "libclang-rt-14-dev" "ubuntu"
    lacks "$out" "libamdhip64-dev" "ubuntu with ROCm: the distribution's HIP"
    has "$out" "libze-dev" "ubuntu without Level Zero headers"
  fi
  has "$out" "suite --budget 90s --csv res/results.csv" "ubuntu"
  has "$out" "+ nvidia-smi -q > res/env/nvidia-smi.txt" "ubuntu"
  has "$out" "/opt/rocm/bin/rocm-smi --showallinfo > res/env/rocm-smi.txt" "ubuntu"
  has "$out" "+ hl-smi -q > res/env/hl-smi.txt" "ubuntu"
  [ -z "$(ls -A "$tmp/cwd")" ] || fail "ubuntu dry run created $(ls -A "$tmp/cwd")"

  # An accelbench with and one without the newer options (--budget, prices, grid, metadata):
  # passed on where --help names them, else --quick and a note.
  printf '#!/bin/sh\necho "  --budget DURATION"; echo "  --prices FILE --grid-gco2-per-kwh G --cloud-metadata"\n' \
    >"$tmp/bin/ab-new"
  printf '#!/bin/sh\necho "usage: accelbench suite [--quick]"\n' >"$tmp/bin/ab-old"
  chmod +x "$tmp/bin/ab-new" "$tmp/bin/ab-old"
  : >"$tmp/prices.csv"
  local opts=(--dry-run --budget 5m --out res --prices "$tmp/prices.csv" --grid-gco2-per-kwh 120 --cloud-metadata)
  out=$(cd "$tmp/cwd" && "$script" "${opts[@]}" --accelbench "$tmp/bin/ab-new") || fail "ab-new exit $?"
  has "$out" "+ $tmp/bin/ab-new suite --budget 5m --csv res/results.csv --json res/results.json --prices $tmp/prices.csv --grid-gco2-per-kwh 120 --cloud-metadata 2>&1" "new accelbench"
  lacks "$out" "note: this accelbench" "new accelbench"
  lacks "$out" "+ cmake" "--accelbench: no build"
  out=$(cd "$tmp/cwd" && "$script" "${opts[@]}" --accelbench "$tmp/bin/ab-old") || fail "ab-old exit $?"
  has "$out" "+ $tmp/bin/ab-old suite --quick --csv res/results.csv --json res/results.json 2>&1" "old accelbench"
  has "$out" "note: this accelbench has no suite --budget: running suite --quick instead" "old accelbench"
  has "$out" "note: this accelbench does not take --grid-gco2-per-kwh: left out" "old accelbench"

  # Bad usage: one line, exit 2, nothing created.
  local args rc err
  for args in "--budget 10x" "--frobnicate" "--price-per-hour abc" "--prices $tmp/none.csv" "--out"; do
    # shellcheck disable=SC2086
    err=$(cd "$tmp/cwd" && "$script" $args 2>&1 >/dev/null) && rc=0 || rc=$?
    [ "$rc" = 2 ] || fail "'$args': exit $rc, expected 2"
    [ "$(wc -l <<<"$err")" = 1 ] && [[ $err == "bootstrap.sh: error: "* ]] || fail "'$args': stderr '$err'"
  done
  [ -z "$(ls -A "$tmp/cwd")" ] || fail "bad usage created $(ls -A "$tmp/cwd")"
}

real_run() {
  local accelbench=$1 py=$2 out rc
  # CPU only, two rows (seconds; STREAM's rows alone took minutes on a loaded 2-core machine).
  out=$(ACCEL_BACKENDS=cpu "$script" --accelbench "$accelbench" --out "$tmp/run" --budget 60s \
        --price-per-hour 0.10 -- --backend cpu --workload gemm,bert_layer --config 1024,base-s128-b1 \
        --dtype fp32 2>&1) && rc=0 || rc=$?
  [ "$rc" = 0 ] || { echo "$out" >&2; fail "bootstrap exit $rc"; }
  has "$out" "results: $tmp/run.tar.gz (suite exit status 0)" "real run"
  local listing
  listing=$(tar -tzf "$tmp/run.tar.gz") || fail "no readable $tmp/run.tar.gz"
  for f in run/results.csv run/results.json run/plots/report.html run/env/info.json \
           run/env/devices.txt run/env/plan.txt run/env/suite.log; do
    grep -qx "$f" <<<"$listing" || fail "the pack lacks $f"
  done
  grep -q ',ok,' "$tmp/run/results.csv" || fail "no ok row in results.csv"
  grep -q '"state": *"finished"' "$tmp/run/results.json" || fail "the sidecar is not finished"
  # The second of the two commands: compare this instance with the fixtures' three.
  "$py" "$root/scripts/compare.py" --quiet --out "$tmp/cmp" "$tmp/run/results.csv" \
    "$root"/tests/compare/data/*.csv >/dev/null || fail "compare.py exit $?"
  grep -q "$(hostname)" "$tmp/cmp/compare.md" || fail "compare.md does not name this host"
}

case "${1:-}" in
  dry) dry ;;
  run) real_run "$2" "$3" ;;
  *) echo "usage: $0 dry | run ACCELBENCH PYTHON" >&2; exit 2 ;;
esac
if [ "$failures" -gt 0 ]; then echo "$failures check(s) failed" >&2; exit 1; fi
echo "bootstrap.sh ${1} checks passed"
