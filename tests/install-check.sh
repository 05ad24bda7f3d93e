#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The library as an outside user gets it: install into a scratch prefix,
# then build examples/memory-store.c with nothing but pkg-config's flags
# (shared, then static) and run it on a forks file.
# usage: tests/install-check.sh BUILD_DIR   (prints "N passed, M failed")
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
dir=$1
prefix=$top/$dir/prefix
rm -rf "$dir"
meson setup "$dir" --prefix="$prefix" -Dbuildtype=release -Dtests=disabled \
	-Dbench=disabled >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log"; exit 1; }
ninja -C "$dir" install >/dev/null
pc=$(dirname "$(find "$prefix" -name matrix-core.pc | head -1)")
export PKG_CONFIG_PATH=$pc
passed=0 failed=0
check() { # name, command...
	local name=$1
	shift
	if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $name"; fi
}
check "pkg-config knows matrix-core" pkg-config --exists matrix-core
check "headers installed" test -f "$prefix/include/matrix-core.h" -a -f "$prefix/include/matrix-core/version.h" -a -f "$prefix/include/matrix-core/backend.h"
check "SONAME carries the major version" sh -c "objdump -p $(find "$prefix" -name 'libmatrix-core.so.*.*.*' | head -1) | grep -q 'SONAME *libmatrix-core.so.0'"
# shared
check "example builds (shared)" cc -std=c11 -Wall -Werror -o "$dir/memory-store" examples/memory-store.c $(pkg-config --cflags --libs matrix-core)
check "example runs (shared)" sh -c "LD_LIBRARY_PATH=$(pkg-config --variable=libdir matrix-core) $dir/memory-store examples/data/forks-v12.json | grep -q 'PL2'"
# static
check "example builds (static)" cc -std=c11 -Wall -Werror -DMXC_STATIC -o "$dir/memory-store-static" examples/memory-store.c $(pkg-config --cflags matrix-core) "$(pkg-config --variable=libdir matrix-core)/libmatrix-core.a" $(pkg-config --libs-only-l --static libsodium libcrypto) -lm
check "example runs (static)" sh -c "$dir/memory-store-static examples/data/forks-v12.json | grep -q 'PL2'"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
