#!/usr/bin/env bash
# Installs the XLA CPU PJRT plugin the pjrt backend is tested with, into a project-local folder
# (a test dependency only: the backend itself needs nothing at build time).
#   scripts/install-pjrt-plugin.sh [DEST]      DEST defaults to .deps/pjrt-cpu
# The wheel (lammps-jax-pjrt-cpu, ~60 MB download, ~200 MB installed) is XLA's own CPU plugin,
# built from the XLA of jaxlib of the same version, so jax of that version runs the same compiler.
# Prints the plugin's path last; exits non-zero when it cannot be installed.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${1:-.deps/pjrt-cpu}
version=0.11.2
plugin="$dest/lammps_jax_pjrt_cpu/pjrt_c_api_cpu_plugin.so"
if [ -f "$plugin" ] && [ -f "$dest/lammps_jax_pjrt_cpu-$version.dist-info/METADATA" ]; then
  echo "$plugin"
  exit 0
fi
py=${PYTHON:-python3}
command -v "$py" >/dev/null || py=/usr/bin/python3
rm -rf "$dest"
mkdir -p "$dest"
# --no-deps: the wheel declares jax as a dependency for its original users; the plugin needs none.
"$py" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps --target "$dest" \
  "lammps-jax-pjrt-cpu==$version" >&2
[ -f "$plugin" ] || { echo "install-pjrt-plugin: $plugin missing after install" >&2; exit 1; }
echo "$plugin"
