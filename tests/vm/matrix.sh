#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# The robustness matrix (tests/matrix) at the size CI affords, on both
# kernels: every scheduler's loader, built with AddressSanitizer and UBSan
# (make SANITIZE=1; tests/host/sanitize.sh builds them), through the soak
# cell for 10 s.  It stays enabled under the load, every pinned task runs
# on, its stats move, SIGINT ends it cleanly, and no sanitizer report, a
# leak included, appears in its output.  "make matrix" runs every case at
# full size.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
kver_dir=
[ "${KVER:-6.12}" = 6.12 ] || kver_dir=/$KVER
export BIN=$root/build$kver_dir/san/bin SOAK=10
exec "$root/tests/matrix/guest.sh" -t "4 CPUs, SMT, sanitized loaders" soak
