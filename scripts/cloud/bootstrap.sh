#!/usr/bin/env bash
# From a fresh rented instance (Ubuntu 22.04/24.04 or Debian 12, a GPU image or not) to one tarball
# of verified results: detect the vendor stacks present (NVIDIA, ROCm, oneAPI / Level Zero, Gaudi),
# install what the distribution offers (scripts/install-deps.sh), build, run `accelbench suite`
# within a time budget, plot it, and pack the CSV, its JSON sidecar, the plots and the environment
# into <out>.tar.gz. docs/cloud.md walks through a run; scripts/compare.py compares the packs of
# several instances.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: scripts/cloud/bootstrap.sh [options] [-- more accelbench suite options]

  --budget DURATION       the suite's time budget (accelbench suite --budget; default 10m); an
                          accelbench without --budget runs `suite --quick` instead, and says so
  --out DIR               results folder (default: results/cloud-<host>-<UTC time>); the pack is
                          DIR.tar.gz beside it
  --build-dir DIR         build folder (default: build-cloud); one that exists is built again
                          incrementally with its own settings
  --accelbench PATH       use this accelbench binary: nothing is installed or built
  --no-install            install no packages (without apt-get, or without root or sudo, nothing
                          is installed either: the build uses the CMake and compiler present)
  --price-per-hour USD    the instance's price per hour (cost per million items in the CSV)
  --prices FILE           prices CSV chosen by instance type (passed on when accelbench takes it)
  --grid-gco2-per-kwh G   grid carbon intensity (passed on when accelbench takes it)
  --cloud-metadata        ask the provider's metadata endpoint for the instance type (passed on
                          when accelbench takes it)
  --dry-run               print what was detected and every step with its command; change nothing
  -h, --help              this text

Exit status: the suite's (0: every row ok or skipped/unsupported; 1: a row failed or errored,
results still packed); 2: bad usage; 1: a step before the suite failed.
EOF
}

die_usage() { echo "bootstrap.sh: error: $*" >&2; exit 2; }
die() { echo "bootstrap.sh: error: $*" >&2; exit 1; }

root=$(cd "$(dirname "$0")/../.." && pwd)
budget=10m out="" build_dir="" accelbench="" no_install=0 dry_run=0
price="" prices="" grid="" cloud_metadata=0
extra=()
need_value() { if [ $# -lt 2 ] || [ -z "$2" ]; then die_usage "$1 needs a value"; fi; }
while [ $# -gt 0 ]; do
  case "$1" in
    --budget) need_value "$@"; budget=$2; shift 2 ;;
    --out) need_value "$@"; out=$2; shift 2 ;;
    --build-dir) need_value "$@"; build_dir=$2; shift 2 ;;
    --accelbench) need_value "$@"; accelbench=$2; shift 2 ;;
    --no-install) no_install=1; shift ;;
    --price-per-hour) need_value "$@"; price=$2; shift 2 ;;
    --prices) need_value "$@"; prices=$2; shift 2 ;;
    --grid-gco2-per-kwh) need_value "$@"; grid=$2; shift 2 ;;
    --cloud-metadata) cloud_metadata=1; shift ;;
    --dry-run) dry_run=1; shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    *) die_usage "unknown option '$1' (see --help)" ;;
  esac
done
[[ $budget =~ ^[0-9]+(s|m|h)?$ ]] || die_usage "--budget '$budget': expected a duration such as 90s, 10m or 1h"
[ -z "$price" ] || [[ $price =~ ^[0-9]+(\.[0-9]+)?$ ]] || die_usage "--price-per-hour '$price': not a price in USD"
[ -z "$grid" ] || [[ $grid =~ ^[0-9]+(\.[0-9]+)?$ ]] || die_usage "--grid-gco2-per-kwh '$grid': not a carbon intensity"
[ -z "$prices" ] || [ -f "$prices" ] || die_usage "--prices '$prices': no such file"
[ -z "$accelbench" ] || [ -x "$accelbench" ] || die_usage "--accelbench '$accelbench': not an executable file"
host=$(hostname 2>/dev/null || echo host)
out=${out:-results/cloud-$host-$(date -u +%Y%m%d-%H%M%S)}
out=${out%/}
build_dir=${build_dir:-build-cloud}
jobs=$(nproc 2>/dev/null || echo 2)
if [ "$dry_run" = 0 ] && [ -e "$out" ]; then die_usage "--out '$out' exists: choose a new folder"; fi

# --- what is here ----------------------------------------------------------------------------
# ACCEL_BOOTSTRAP_SYSROOT: the tree the files below are looked for in (tests point it at a made-up
# Ubuntu with ROCm); commands (nvidia-smi, hl-smi, apt-get) are looked for on PATH.
sys=${ACCEL_BOOTSTRAP_SYSROOT:-}
report=()  # the detection summary: printed, and packed as env/plan.txt
note() { report+=("$*"); }

os_id=unknown os_version="" os_name="unknown OS"
if [ -r "$sys/etc/os-release" ]; then
  # shellcheck disable=SC1091
  os_id=$(. "$sys/etc/os-release" && echo "${ID:-unknown}")
  os_version=$(. "$sys/etc/os-release" && echo "${VERSION_ID:-}")
  os_name=$(. "$sys/etc/os-release" && echo "${PRETTY_NAME:-$os_id $os_version}")
fi
case "$os_id $os_version" in
  "debian 12"|"ubuntu 22.04"|"ubuntu 24.04") note "OS: $os_name" ;;
  *) note "OS: $os_name (not one this script was written for: Debian 12, Ubuntu 22.04/24.04; trying anyway)" ;;
esac
note "CPU cores: $jobs"

nvidia=0 rocm=0 oneapi=0 gaudi=0 ze_headers=0
if command -v nvidia-smi >/dev/null; then
  nvidia=1
  gpus=$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | sort | uniq -c |
         sed 's/^ *//' | paste -sd';' - || true)
  note "NVIDIA driver: nvidia-smi found (${gpus:-nvidia-smi lists no GPU})"
else
  note "NVIDIA driver: none (no nvidia-smi)"
fi
if [ -d "$sys/usr/local/cuda/include" ]; then
  cuda_version=$({ "$sys/usr/local/cuda/bin/nvcc" --version 2>/dev/null || true; } | sed -n 's/.*release \([0-9.]*\).*/\1/p')
  note "CUDA toolkit: /usr/local/cuda ${cuda_version:+($cuda_version)}: the cuda backend builds against it"
else
  note "CUDA toolkit: none at /usr/local/cuda (the cuda backend is built only with its headers)"
fi
if [ -d "$sys/opt/rocm" ]; then
  rocm=1
  note "ROCm: /opt/rocm $(cat "$sys/opt/rocm/.info/version" 2>/dev/null || true): the hip backend builds against it; the distribution's HIP packages are left out"
else
  note "ROCm: none (no /opt/rocm)"
fi
if [ -d "$sys/opt/intel/oneapi" ]; then
  oneapi=1
  note "oneAPI: /opt/intel/oneapi"
else
  note "oneAPI: none (no /opt/intel/oneapi)"
fi
if [ -f "$sys/usr/include/level_zero/ze_api.h" ]; then
  ze_headers=1
  note "Level Zero headers: /usr/include/level_zero (already installed)"
fi
if command -v hl-smi >/dev/null; then
  gaudi=1
  note "Gaudi: hl-smi found"
else
  note "Gaudi: none (no hl-smi)"
fi

py=""
for candidate in /usr/bin/python3 python3; do
  if command -v "$candidate" >/dev/null && "$candidate" -c 'import matplotlib' 2>/dev/null; then
    py=$(command -v "$candidate"); break
  fi
done

have_apt=0; command -v apt-get >/dev/null && have_apt=1
can_root=0
if [ "$(id -u)" -eq 0 ]; then can_root=1
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then can_root=1
fi
install=1 install_why=""
if [ -n "$accelbench" ]; then install_why="--accelbench given"
elif [ "$no_install" = 1 ]; then install_why="--no-install"
elif [ "$have_apt" = 0 ]; then install_why="no apt-get here: building with what is present"
elif [ "$can_root" = 0 ]; then install_why="not root, no password-less sudo: building with what is present"
fi
if [ -n "$install_why" ]; then install=0; note "packages: not installed ($install_why)"
else note "packages: scripts/debian-packages.txt through apt-get (those this distribution has)"; fi

# The Debian 12 list (scripts/debian-packages.txt), adapted to this system.
packages() {
  grep -v '^\s*#' "$root/scripts/debian-packages.txt" | grep -v '^\s*$' | while read -r p; do
    case "$p" in
      # AMD's own ROCm packages (in /opt/rocm) conflict with the distribution's HIP.
      libamdhip64-dev|rocm-device-libs|hipcc) [ "$rocm" = 1 ] && continue ;;
      # Intel's repositories (oneAPI images) already put the Level Zero headers in place.
      libze-dev) [ "$ze_headers" = 1 ] && continue ;;
      # Ubuntu 22.04 ships clang 14's runtime libraries in libclang-common-14-dev.
      libclang-rt-14-dev) [ "$os_id $os_version" = "ubuntu 22.04" ] && p=libclang-common-14-dev ;;
    esac
    echo "$p"
  done
}

# --- the plan --------------------------------------------------------------------------------
quote() { local s="" a; for a in "$@"; do s+="$(printf '%q' "$a") "; done; echo "${s% }"; }
step_no=0
step() { step_no=$((step_no + 1)); printf '\n== %d. %s (%s)\n' "$step_no" "$*" "$(date -u +%H:%M:%S)"; }
cmd() {  # print a command, and run it unless this is a dry run
  echo "+ $(quote "$@")"
  [ "$dry_run" = 1 ] || "$@"
}

echo "bootstrap.sh: $([ "$dry_run" = 1 ] && echo "dry run: the plan, nothing is changed" || echo "running")"
echo "detected:"
printf '  %s\n' "${report[@]}"

step "install packages"
if [ "$install" = 1 ]; then
  mapfile -t pkgs < <(packages)
  cmd "$root/scripts/install-deps.sh" --skip-unavailable "${pkgs[@]}"
else
  echo "skipped: $install_why"
fi

step "build"
if [ -n "$accelbench" ]; then
  echo "skipped: using $accelbench"
else
  for tool in cmake cc; do
    if ! command -v "$tool" >/dev/null && [ "$install" = 0 ] && [ "$dry_run" = 0 ]; then
      die "no $tool here and nothing was installed: install CMake and a C compiler (Debian/Ubuntu: apt-get install cmake build-essential)"
    fi
  done
  if [ -f "$build_dir/CMakeCache.txt" ]; then
    echo "$build_dir is configured already: built again with its own settings"
  else
    gen=(); if command -v ninja >/dev/null || [ "$install" = 1 ]; then gen=(-G Ninja); fi
    cmd cmake -S "$root" -B "$build_dir" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DACCEL_BUILD_TESTS=OFF \
      ${py:+"-DPython3_EXECUTABLE=$py"}
  fi
  cmd cmake --build "$build_dir" -j "$jobs"
  accelbench=$build_dir/bin/accelbench
fi

step "run the suite (budget $budget)"
# Options of accelbench that arrive in later versions are passed on only where it takes them.
suite_help=""  # suite --help names its own options, run --help those the suite shares with run
if [ -x "$accelbench" ]; then
  suite_help=$("$accelbench" suite --help 2>&1 || true; "$accelbench" run --help 2>&1 || true)
fi
takes() {
  if [ -z "$suite_help" ]; then return 0; fi  # dry run before the build: assume the newest
  grep -q -- "$1" <<<"$suite_help"
}
suite=("$accelbench" suite)
if takes --budget; then
  suite+=(--budget "$budget")
else
  suite+=(--quick)
  echo "note: this accelbench has no suite --budget: running suite --quick instead"
fi
suite+=(--csv "$out/results.csv" --json "$out/results.json")
[ -z "$price" ] || suite+=(--price-per-hour "$price")
pass_on() {  # pass_on FLAG [VALUE]: only where this accelbench takes FLAG
  if takes "$1"; then suite+=("$@"); else echo "note: this accelbench does not take $1: left out"; fi
}
[ -z "$prices" ] || pass_on --prices "$prices"
[ -z "$grid" ] || pass_on --grid-gco2-per-kwh "$grid"
[ "$cloud_metadata" = 0 ] || pass_on --cloud-metadata
suite+=("${extra[@]}")
if [ -z "$suite_help" ]; then
  echo "note: accelbench is not built yet: --budget and the price and grid options are checked against its --help after the build"
fi

if [ "$dry_run" = 1 ]; then
  echo "+ $(quote "${suite[@]}") 2>&1 | tee $(quote "$out/env/suite.log")"
  suite_rc=0
else
  mkdir -p "$out/env"
  printf '%s\n' "${report[@]}" >"$out/env/plan.txt"
  set +e
  "${suite[@]}" 2>&1 | tee "$out/env/suite.log"
  suite_rc=${PIPESTATUS[0]}
  set -e
  [ -f "$out/results.csv" ] || die "the suite wrote no results (exit $suite_rc): see $out/env/suite.log"
fi

step "plots"
if [ -n "$py" ]; then
  cmd "$py" "$root/scripts/plot.py" --quiet --out "$out/plots" "$out/results.csv" || echo "note: plot.py failed; the CSV is packed without plots"
else
  echo "skipped: no Python with matplotlib (Debian/Ubuntu: apt-get install python3-matplotlib)"
fi

step "environment"
capture() {  # capture FILE COMMAND...: a tool that is missing or fails leaves its message instead
  local file=$1; shift
  if [ "$dry_run" = 0 ] && ! command -v "$1" >/dev/null; then return 0; fi
  echo "+ $(quote "$@") > $(quote "$out/env/$file")"
  [ "$dry_run" = 1 ] || "$@" >"$out/env/$file" 2>&1 || true
}
capture info.json "$accelbench" info --json
capture devices.txt "$accelbench" devices
capture uname.txt uname -a
capture os-release.txt cat /etc/os-release
capture lscpu.txt lscpu
[ "$nvidia" = 0 ] || capture nvidia-smi.txt nvidia-smi -q
[ "$rocm" = 0 ] || capture rocm-smi.txt "$sys/opt/rocm/bin/rocm-smi" --showallinfo
[ "$gaudi" = 0 ] || capture hl-smi.txt hl-smi -q
[ "$oneapi" = 0 ] || capture oneapi.txt ls "$sys/opt/intel/oneapi"

step "pack"
parent=$(dirname "$out") base=$(basename "$out")
cmd tar -czf "$out.tar.gz" -C "$parent" "$base"
if [ "$dry_run" = 1 ]; then
  echo "dry run: nothing was changed"
  exit 0
fi
echo "results: $out.tar.gz (suite exit status $suite_rc)"
echo "compare instances: $(quote "${py:-python3}" "$root/scripts/compare.py") $(quote "$out/results.csv") other-instance/results.csv ..."
exit "$suite_rc"
