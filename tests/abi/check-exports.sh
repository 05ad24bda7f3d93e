#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The shared library must export exactly the MXC_API functions of the
# headers (symbols.txt, generated from them), nothing more, nothing less.
set -eu
lib=$1 expected=$2
actual=$(nm -D --defined-only "$lib" | awk '$2 == "T" { print $3 }' | sed 's/@.*//' | sort -u)
if [ "$actual" != "$(sort -u "$expected")" ]; then
	echo "exported symbols differ from the MXC_API declarations:" >&2
	printf '%s\n' "$actual" > exports.actual
	diff -u "$expected" exports.actual >&2 || true
	exit 1
fi
echo "1 passed, 0 failed"
