#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every shell script in the repo is shellcheck-clean (with .shellcheckrc).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/assert.sh
. "$root/tests/lib/assert.sh"
cd "$root" || exit 1
command -v shellcheck >/dev/null || skip "shellcheck is not installed (vm/install-deps.sh)"

scripts=$(git ls-files -co --exclude-standard | while read -r f; do
	case $f in
	*.sh | .ci/run) echo "$f" ;;
	*) head -n 1 "$f" 2>/dev/null | grep -qE '^#!.*(ba)?sh' && echo "$f" ;;
	esac
done)
# shellcheck disable=SC2086 # one word per script
shellcheck -x $scripts || fail "shellcheck found the problems above"
finish
