#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Install the Debian 12 packages matrix-core needs to build, test and fuzz,
# if any is missing. Sourced or run by examples/demo.sh, tests/run.sh and
# .ci/run; needs root (or every package already installed).
set -euo pipefail

MXC_DEB_PACKAGES=(
	gcc g++ pkg-config meson ninja-build python3
	libsodium-dev libssl-dev libcjson-dev check
	clang-14 libclang-rt-14-dev
	python3-canonicaljson python3-signedjson python3-nacl
)

missing=()
for p in "${MXC_DEB_PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "matrix-core: missing Debian packages: ${missing[*]} (run as root to install them)" >&2
		exit 1
	fi
	echo "matrix-core: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
