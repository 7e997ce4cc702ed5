#!/usr/bin/env bash
# cmake --install puts the library, headers and libkube.pc in a prefix; a
# program builds against it with pkg-config, shared and static, and runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
prefix=$(mktemp -d /tmp/libkube-install-XXXXXX)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$BUILD" --prefix "$prefix" >/dev/null
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
src=tests/integration/data/pkgconfig_user.c
readelf -d "$prefix/lib/libkube.so" | grep -q 'SONAME.*libkube.so.0'
cc "$src" $(pkg-config --cflags --libs libkube) -Wl,-rpath,"$prefix/lib" -o "$prefix/shared"
"$prefix/shared" | grep -qx ok
cc "$src" $(pkg-config --cflags libkube) "$prefix/lib/libkube.a" $(pkg-config --libs --static libkube | sed 's/-lkube//') -o "$prefix/static"
"$prefix/static" | grep -qx ok
echo "installed library works shared and static"
