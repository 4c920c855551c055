#!/usr/bin/env bash
# Installs the build into a scratch prefix (not the configured one), then: the installed programs
# start without LD_LIBRARY_PATH and find the installed plugins, also after the whole prefix is
# moved; a consumer builds with find_package(accel) and with pkg-config; a plugin builds with
# pkg-config alone (headers, plugindir, --no-undefined) and is found; no installed plugin calls
# libaccel.
set -euo pipefail
build=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
for f in bin/accelbench bin/accel_conformance include/accel/accel.h include/accel/plugin.h \
         lib/accel/libaccel-backend-null.so lib/cmake/accel/accelConfig.cmake lib/pkgconfig/accel.pc; do
  if [ ! -e "$work/prefix/$f" ] && [ ! -e "$work/prefix/${f/lib\//lib64/}" ]; then
    echo "install_test: $f was not installed"; exit 1
  fi
done
libdir=$(dirname "$(find "$work/prefix" -name 'libaccel.so' | head -n 1)")
"$src/plugin_symbols.sh" "$libdir"/accel/libaccel-backend-*.so

# Relative RUNPATH and plugin folder: works from where it was installed, and from anywhere else.
unset LD_LIBRARY_PATH ACCEL_BACKEND_PATH
mv "$work/prefix" "$work/moved"
out=$(ACCEL_BACKENDS=null ACCEL_NULL_DEVICES=1 "$work/moved/bin/accelbench" devices) || {
  echo "install_test: the installed accelbench did not run from a moved prefix (exit $?)"; exit 1; }
grep -q "null:0" <<<"$out" || { echo "install_test: no null:0 in: $out"; exit 1; }
# Every folder the loader searched or skipped lies in the moved prefix: no configure-time path,
# which would load another install's plugins.
searched=$(ACCEL_DEBUG=1 ACCEL_BACKENDS=null "$work/moved/bin/accelbench" devices 2>&1 >/dev/null |
           grep -E '^accel\[loader\] (searched|skip) ' || true)
outside=$(grep -v -F "$work/moved/" <<<"$searched" || true)
if [ -z "$searched" ] || [ -n "$outside" ]; then
  echo "install_test: the moved install's loader searched outside its prefix: ${outside:-nothing at all}"
  exit 1
fi
mv "$work/moved" "$work/prefix"

cmake -S "$src/consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/consumer" >/dev/null
ACCEL_BACKENDS=null "$work/consumer/consumer"
if command -v pkg-config >/dev/null; then
  export PKG_CONFIG_PATH="$libdir/pkgconfig"
  cc -o "$work/consumer-pc" "$src/consumer/main.c" $(pkg-config --cflags --libs accel) \
     -Wl,-rpath,"$(pkg-config --variable=libdir accel)"
  ACCEL_BACKENDS=null "$work/consumer-pc"
  # A plugin needs the headers only (--cflags, never --libs) and goes to plugindir.
  plugindir=$(pkg-config --variable=plugindir accel)
  cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -fvisibility=hidden $(pkg-config --cflags accel) \
     -Wl,--no-undefined -o "$plugindir/libaccel-backend-example.so" \
     "$src/../../examples/out-of-tree-plugin/example_plugin.c" -lm
  ACCEL_BACKENDS=example "$work/consumer-pc" example
fi
echo "install_test: 1 passed, 0 failed"
