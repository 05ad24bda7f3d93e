#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The whole test suite, from a fresh clone: installs missing Debian
# packages (as root), then
#   1. builds with AddressSanitizer + UndefinedBehaviorSanitizer and runs
#      every C test (unit, vectors, ABI, fuzz corpus replays, mxc batch);
#   2. builds the plain library and runs the binding tests against it;
#   3. builds the libFuzzer targets with clang-14 and runs each for
#      MXC_FUZZ_SECONDS (default 45) seconds.
# Ends with one line "N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
.ci/deps.sh

passed=0
failed=0
setup() { # DIR ARGS...: configure once, quietly unless it fails
	local dir=$1
	shift
	[ -f "$dir/build.ninja" ] && return 0
	rm -rf "$dir"
	meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log"; exit 1; }
}
count_line() { # log: add its last "N passed, M failed" line (a failure if none)
	local line
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -1)
	if [ -z "$line" ]; then
		failed=$((failed + 1))
		return
	fi
	set -- $line
	passed=$((passed + $1))
	failed=$((failed + $3))
}
count_meson() { # build dir: add meson's Ok/Fail counts
	local log="$1/meson-logs/testlog.json"
	local ok fail
	ok=$(python3 -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; print(sum(1 for x in r if x["result"] in ("OK","EXPECTEDFAIL","SKIP")))' "$log")
	fail=$(python3 -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; print(sum(1 for x in r if x["result"] not in ("OK","EXPECTEDFAIL","SKIP")))' "$log")
	passed=$((passed + ok))
	failed=$((failed + fail))
}

echo "== C tests under ASan + UBSan"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
setup build-asan -Db_sanitize=address,undefined \
	-Dc_args=-fno-sanitize-recover=all -Dbuildtype=debug
ninja -C build-asan
meson test -C build-asan --print-errorlogs || true
count_meson build-asan

echo "== plain build and binding tests"
setup build -Dbuildtype=release
ninja -C build
if [ -d bindings/python/tests ]; then
	if MATRIX_CORE_LIB="$top/build/libmatrix-core.so" PYTHONPATH=bindings/python \
		/usr/bin/python3 -m unittest discover -s bindings/python/tests -t bindings/python 2>&1 | tee build/python-tests.log; then :; fi
	pr=$(python3 - build/python-tests.log <<'PY'
import re, sys
t = open(sys.argv[1]).read()
m = re.search(r"Ran (\d+) tests?", t)
n = int(m.group(1)) if m else 0
f = re.search(r"FAILED \((.*)\)", t)
bad = sum(int(x) for x in re.findall(r"=(\d+)", f.group(1))) if f else (0 if m and "\nOK" in t else 1)
print(n - bad if n >= bad else 0, bad)
PY
)
	passed=$((passed + ${pr% *}))
	failed=$((failed + ${pr#* }))
fi

echo "== install check (meson install, pkg-config, shared and static)"
tests/install-check.sh build-install 2>&1 | tee build-install.log || true
count_line build-install.log

echo "== fuzzing (libFuzzer, clang-14)"
secs=${MXC_FUZZ_SECONDS:-45}
CC=clang-14 CXX=clang++-14 setup build-fuzz -Dfuzzing=enabled \
	-Db_sanitize=address,undefined -Db_lundef=false -Dtests=enabled \
	-Dbuildtype=debugoptimized
ninja -C build-fuzz
for f in build-fuzz/tests/fuzz/fuzz-*; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	t=${f##*/fuzz-}
	work=$(mktemp -d)
	cp -r "tests/fuzz/corpus/$t/." "$work/" 2>/dev/null || true
	echo "-- fuzz $t for ${secs}s"
	if "$f" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix=build-fuzz/ "$work" >"build-fuzz/fuzz-$t.log" 2>&1; then
		passed=$((passed + 1))
		grep -E "stat::number_of_executed_units|Done" "build-fuzz/fuzz-$t.log" | head -2 || true
	else
		failed=$((failed + 1))
		tail -40 "build-fuzz/fuzz-$t.log"
	fi
	rm -rf "$work"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
