#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Download the newest version of Debian packages from a suite this machine's
# apt does not list (trixie-backports for linux-source-7.3, trixie for a
# newer pahole), and unpack them into DEST with dpkg -x.  Nothing under /etc
# changes: apt reads a private sources list in the cache, made from the
# mirror that /etc/apt already uses, with SUITE in place of the suite.
#
# Usage: vm/fetch-deb.sh SUITE DEST PACKAGE...
set -eu

[ $# -ge 3 ] || { echo "usage: vm/fetch-deb.sh SUITE DEST PACKAGE..." >&2; exit 2; }
suite=$1
dest=$2
shift 2
cache=${XDG_CACHE_HOME:-$HOME/.cache}/scx-examples
apt=$cache/apt-$suite

die() {
	echo "fetch-deb: $*" >&2
	exit 1
}

{ command -v apt-get && command -v dpkg; } >/dev/null ||
	die "not a Debian system: fetch $* from Debian's $suite by hand"

# The first mirror of the main archive in the deb822 or the one-line format.
uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
	awk '/^URIs:/ { u = $2 } /^Suites:/ && !/security/ && u { print u; exit }')
[ -n "$uri" ] || uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
	awk '$1 == "deb" && $3 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }')
[ -n "$uri" ] || die "no Debian mirror in /etc/apt; add one, or fetch $* from $suite by hand"

mkdir -p "$apt/lists/partial" "$apt/debs" "$dest"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main" >"$apt/sources.list"
: >"$apt/status"
# run TOOL ARG...: apt-get or apt-cache on the private list only.
run() {
	tool=$1
	shift
	"$tool" -qq -o Dir::Etc::sourcelist="$apt/sources.list" \
		-o Dir::Etc::sourceparts=- -o Dir::State::Lists="$apt/lists" \
		-o Dir::State::status="$apt/status" -o APT::Sandbox::User=root "$@"
}
run apt-get update >/dev/null 2>&1 || run apt-get update >&2 ||
	die "apt-get update of $suite from $uri failed"
for p in "$@"; do
	run apt-cache show "$p" >/dev/null 2>&1 || die "Debian's $suite offers no package $p"
done
rm -f "$apt"/debs/*.deb
(cd "$apt/debs" && run apt-get download "$@" >/dev/null) ||
	die "apt-get download $* from $suite failed"
for deb in "$apt"/debs/*.deb; do
	dpkg -x "$deb" "$dest"
done
