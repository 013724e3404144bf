#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of the test VM.  The root file system is the host's /, read-only
# over 9p; this makes the few writable places a test needs, runs the command
# that vm/run.sh left in SCX_VM_CMD from directory SCX_VM_CWD, prints its
# exit status on the console for run.sh to pick up, and powers off.
#
# The kernel hands unrecognised name=value boot parameters to init as
# environment variables, which is how SCX_VM_CMD and SCX_VM_CWD arrive.

# SeaBIOS leaves the serial console in the middle of a line.
echo

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export TERM=dumb LANG=C.UTF-8

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
# What udev would add: bash's <(...) needs /dev/fd.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t tmpfs tmpfs /run
mkdir -p /run/home /dev/shm
mount -t tmpfs tmpfs /dev/shm
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing

# /tmp is a tmpfs, as commands expect it to be writable.  The host's
# directories in /tmp stay visible (read-only): a checkout, or the cache
# that holds the command to run, may live there.
mkdir -p /run/host-tmp
mount --bind /tmp /run/host-tmp
mount -t tmpfs tmpfs /tmp
for d in /run/host-tmp/*/; do
	[ -d "$d" ] || continue
	d=${d%/}
	mkdir -p "/tmp/${d##*/}"
	mount --bind "$d" "/tmp/${d##*/}"
done
export TMPDIR=/tmp
export HOME=/run/home

ip link set lo up 2>/dev/null

status=127
if cd "$SCX_VM_CWD"; then
	bash "$SCX_VM_CMD"
	status=$?
fi
echo "@@SCX-VM-EXIT $status@@"

sync
echo 1 > /proc/sys/kernel/printk
# run.sh starts QEMU with -no-reboot, so a reboot ends the VM.
echo b > /proc/sysrq-trigger
sleep 10
