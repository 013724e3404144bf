#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print the path of a pahole of version 1.26 or later, for the kernels that
# need one.  Bookworm's is 1.24: its BTF has no kfunc decl tags, and 7.x's
# KF_IMPLICIT_ARGS kfuncs need them (the 7.3 tree's own scx_qmap is refused
# with -EACCES without).  Trixie's pahole is fetched into the cache and run
# through the dynamic loader of its own libc, unpacked beside it, so that it
# needs nothing newer from the host.
#
# Usage: vm/pahole.sh
set -eu

cache=${XDG_CACHE_HOME:-$HOME/.cache}/scx-examples
dir=$cache/pahole-trixie
wrapper=$dir/pahole

# version_of PAHOLE: 124 for "v1.24"
version_of() {
	"$1" --version 2>/dev/null | sed -n 's/^v\([0-9]*\)\.\([0-9]*\).*/\1\2/p'
}

if command -v pahole >/dev/null && [ "$(version_of pahole)" -ge 126 ] 2>/dev/null; then
	command -v pahole
	exit 0
fi
if [ ! -x "$wrapper" ]; then
	mkdir -p "$cache"
	exec 9>"$cache/pahole.lock"
	flock 9
fi
if [ ! -x "$wrapper" ]; then
	echo "  FETCH   pahole from Debian trixie (bookworm's $(pahole --version 2>/dev/null || echo none) is older than 1.26)" >&2
	rm -rf "$dir.tmp"
	"$(dirname "$0")/fetch-deb.sh" trixie "$dir.tmp/root" pahole libbpf1 libc6 \
		libdw1t64 libelf1t64 libzstd1 zlib1g liblzma5 libbz2-1.0 >&2
	lib=$dir/root/usr/lib/x86_64-linux-gnu
	cat >"$dir.tmp/pahole" <<WRAP
#!/bin/sh
exec "$lib/ld-linux-x86-64.so.2" --library-path "$lib" "$dir/root/usr/bin/pahole" "\$@"
WRAP
	chmod +x "$dir.tmp/pahole"
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
	[ "$(version_of "$wrapper")" -ge 126 ] 2>/dev/null ||
		{ echo "pahole.sh: trixie's pahole does not run here: $("$wrapper" --version 2>&1 | head -n 1)" >&2; exit 1; }
fi
echo "$wrapper"
