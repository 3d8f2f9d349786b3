#!/usr/bin/env bash
# procbench.sh KERNEL BENCH [CALLS THREADS] - the cost of a system call and
# of a thread on mematlas: boots KERNEL under QEMU with user/bench as its
# module, with -icount shift=0,sleep=off so that the time-stamp counter
# counts instructions and the figures are the same on every run and every
# machine, and prints bench's lines. With a host that runs i386 programs,
# the same binary's figures on Linux follow (real cycles: they vary).
set -euo pipefail
kernel=$1 bench=$2 calls=${3:-20000} threads=${4:-200}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
timeout 300 qemu-system-i386 -accel tcg -icount shift=0,sleep=off -no-reboot -m 128M \
    -display none -serial "file:$log" -monitor none \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -kernel "$kernel" -append exit -initrd "$bench $calls $threads" || status=$?
if [ "$status" -ne 33 ]; then
    echo "procbench: the boot did not succeed (QEMU exit $status):" >&2
    tail -20 "$log" >&2
    exit 1
fi
echo "mematlas (QEMU -icount shift=0, cycles = instructions):"
grep '^bench:' "$log" | tr -d '\r' | sed 's/^/  /'
if "$bench" 1 1 >/dev/null 2>&1; then
    echo "Linux on this host (real cycles):"
    "$bench" "$calls" "$threads" | sed 's/^/  /'
fi
