#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The main job, from a fresh clone: install missing Debian packages (as
# root), build, and show the library at work through the mxc tool:
# generate a server key, sign the spec's example object, verify it, watch
# a tampered copy fail, and reproduce the spec's own signing example.
set -euo pipefail
cd "$(dirname "$0")/.."
.ci/deps.sh
if [ ! -f build/build.ninja ]; then
	meson setup build -Dbuildtype=release >/tmp/mxc-setup.log 2>&1 ||
		{ cat /tmp/mxc-setup.log; exit 1; }
fi
ninja -C build >/dev/null
mxc=build/examples/cli/mxc
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== a new ed25519 server key (Synapse key-file format)"
$mxc keygen --version demo > "$work/key"
sed 's/ [^ ]*$/ <seed hidden>/' "$work/key"
$mxc pubkey "$work/key"

echo
echo "== the spec's example object, signed by example.org"
printf '{\n    "one": 1,\n    "two": "Two"\n}\n' > "$work/obj.json"
$mxc sign --key "$work/key" --server example.org "$work/obj.json" | tee "$work/signed.json"

echo
echo "== verified"
$mxc verify --key "$work/key" --server example.org "$work/signed.json"

echo
echo "== a tampered copy (\"two\" changed) fails"
sed 's/"Two"/"Three"/' "$work/signed.json" > "$work/tampered.json"
if $mxc verify --key "$work/key" --server example.org "$work/tampered.json"; then
	echo "demo: the tampered object verified, which must not happen" >&2
	exit 1
fi

echo
echo "== the spec's signing example, byte for byte (appendices: Signing JSON)"
echo "ed25519 1 YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1" > "$work/spec.key"
got=$($mxc sign --key "$work/spec.key" --server domain "$work/obj.json")
want='{"one":1,"signatures":{"domain":{"ed25519:1":"KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw"}},"two":"Two"}'
echo "$got"
[ "$got" = "$want" ] && echo "matches the specification"
