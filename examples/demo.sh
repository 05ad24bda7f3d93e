#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The main job, from a fresh clone: install missing Debian packages (as
# root), build, and show the library at work through the mxc tool:
# generate a server key, sign the spec's example object, verify it, watch
# a tampered copy fail, reproduce the spec's own signing example; then
# sign an event, check it against the auth rules, and resolve two forks
# of a room with state resolution v2 and v2.1 (examples/memory-store).
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

echo
echo "== an event of room version 11: signed, its ID, and the auth rules (mxc batch)"
seed=$(cut -d' ' -f3 "$work/key")
ev='{"type":"m.room.message","sender":"@alice:example.org","room_id":"!room:example.org","content":{"body":"hello"},"origin_server_ts":1700000000000,"depth":5,"prev_events":[],"auth_events":[]}'
create='{"event_id":"$create","type":"m.room.create","state_key":"","sender":"@alice:example.org","room_id":"!room:example.org","content":{"room_version":"11"}}'
join='{"event_id":"$join","type":"m.room.member","state_key":"@alice:example.org","sender":"@alice:example.org","room_id":"!room:example.org","content":{"membership":"join"}}'
signed=$(echo "{\"op\":\"sign_event\",\"room_version\":\"11\",\"event\":$ev,\"server_name\":\"example.org\",\"key_id\":\"ed25519:demo\",\"seed\":\"$seed\"}" |
	$mxc batch | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["result"]))')
echo "signed: $signed"
pub=$($mxc pubkey "$work/key" | cut -d' ' -f2)
printf '%s\n' \
	"{\"id\":\"event_id\",\"op\":\"event_id\",\"room_version\":\"11\",\"event\":$signed}" \
	"{\"id\":\"verify\",\"op\":\"verify_event\",\"room_version\":\"11\",\"event\":$signed,\"keys\":{\"example.org\":{\"ed25519:demo\":\"$pub\"}}}" \
	"{\"id\":\"member speaks\",\"op\":\"auth\",\"room_version\":\"11\",\"event\":$signed,\"state\":[$create,$join]}" \
	"{\"id\":\"stranger speaks\",\"op\":\"auth\",\"room_version\":\"11\",\"event\":${ev/@alice/@mallory},\"state\":[$create,$join]}" |
	$mxc batch

echo
echo "== two forks of a room resolved (the spec's state reset that v2.1 fixes):"
echo "   alice sends two power levels events on two forks, then leaves"
echo "-- room version 2 (state resolution v2): the power levels are lost"
build/examples/memory-store examples/data/forks-v2.json
echo "-- room version 12 (state resolution v2.1): they are kept"
build/examples/memory-store examples/data/forks-v12.json
