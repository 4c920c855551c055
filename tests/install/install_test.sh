#!/usr/bin/env bash
# Installs the build into a scratch prefix, then builds a consumer with find_package(accel) and with
# pkg-config, and runs it: the installed libaccel must find the installed plugins by itself.
set -euo pipefail
build=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
for f in bin/accelbench include/accel/accel.h include/accel/plugin.h lib/accel/libaccel-backend-null.so \
         lib/cmake/accel/accelConfig.cmake lib/pkgconfig/accel.pc; do
  if [ ! -e "$work/prefix/$f" ] && [ ! -e "$work/prefix/${f/lib\//lib64/}" ]; then
    echo "install_test: $f was not installed"; exit 1
  fi
done
cmake -S "$src/consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/consumer" >/dev/null
ACCEL_BACKENDS=null "$work/consumer/consumer"
if command -v pkg-config >/dev/null; then
  export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig"
  cc -o "$work/consumer-pc" "$src/consumer/main.c" $(pkg-config --cflags --libs accel) \
     -Wl,-rpath,"$(pkg-config --variable=libdir accel)"
  ACCEL_BACKENDS=null "$work/consumer-pc"
fi
echo "install_test: 1 passed, 0 failed"
