#!/bin/sh
# deps.sh — install the Debian packages tgpl needs to build and test.
# As root it runs apt-get; otherwise it prints the exact command and fails
# if anything is missing.  npm (for the pinned licence data) is installed
# from Debian only when no npm is on the PATH already.
set -eu
# Build: compiler, pkg-config and the libraries.  Tests and benchmarks:
# sqlite3, python3-jsonschema (SPDX and report schemas), chromium (the HTML
# report as a reader sees it), parallel (the contrib/ shard recipe), clang
# (libFuzzer targets), valgrind (make check-valgrind), licensecheck and bc
# (make bench).
pkgs="build-essential pkg-config git libgit2-dev libsqlite3-dev libpcre2-dev check \
libjansson-dev libxml2-dev libinih-dev libssl-dev sqlite3 python3 python3-jsonschema \
chromium parallel clang valgrind bc licensecheck"
command -v npm >/dev/null 2>&1 || pkgs="$pkgs npm"

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "deps: all Debian packages present"
	exit 0
fi
if [ "$(id -u)" = 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing
else
	echo "deps: missing:$missing" >&2
	echo "run as root:  apt-get install -y --no-install-recommends$missing" >&2
	exit 1
fi
