#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# DEVELOPER_GUIDE.md cannot rot: every command it shows runs as written in
# the VM and prints what the guide says it prints (tests/check-docs.sh).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
exec tests/check-docs.sh
