#!/usr/bin/env bash
# gobench.sh KERNEL PROGRAM... - how long each Go example runs on mematlas
# and on this host.
#
# mematlas: a boot per PROGRAM under QEMU with -icount shift=0,sleep=off
# (one instruction per virtual nanosecond, the idle time skipped) and the
# real-time clock on the virtual clock, so that the kernel's random seed,
# hence the Go runtime's choices, and with them the figures are the same on
# every run and every machine. Its @exit says how long the program ran
# (ns=, from its first instruction to its last thread's end) and how many
# system calls it made.
# Host: the same binary, run RUNS times (default 5), wall time from fork to
# exit (the median), when this host runs i386 programs.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 KERNEL PROGRAM..." >&2; exit 2; }
kernel=$1
shift
runs=${RUNS:-5}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for prog in "$@"; do
    case $prog in
    *,*) echo "gobench: $prog: QEMU splits modules at commas" >&2; exit 2 ;;
    esac
done
# One boot per program: each figure then depends on that program alone (not
# on what the kernel's random generator gave the programs before it).
boot() {
    local status=0 one
    one=$(mktemp)
    timeout 600 qemu-system-i386 -accel tcg -icount shift=0,sleep=off \
        -rtc base=2024-01-01T00:00:00,clock=vm -no-reboot -m 256M \
        -display none -serial "file:$one" -monitor none \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -kernel "$kernel" -append exit -initrd "$1" || status=$?
    cat "$one" >> "$log"
    rm -f "$one"
    if [ "$status" -ne 33 ]; then
        echo "gobench: $1: the boot did not succeed (QEMU exit $status):" >&2
        tail -20 "$log" >&2
        exit 1
    fi
}
for prog in "$@"; do
    boot "$prog"
done

# pid -> "name syscalls ns", from the @spawn and @exit records.
declare -A name_of ran
while IFS= read -r line; do
    line=${line%$'\r'}
    case $line in
    "@spawn "*)
        pid=$(sed -n 's/.* pid=\([0-9]*\) .*/\1/p' <<<"$line")
        argv=$(sed -n 's/.* argv="\([^"]*\)".*/\1/p' <<<"$line")
        name_of[$pid]=$(basename "${argv%% *}") ;;
    "@exit "*)
        pid=$(sed -n 's/.* pid=\([0-9]*\) .*/\1/p' <<<"$line")
        ran[${name_of[$pid]}]=$(sed -n 's/.* syscalls=\([0-9]*\) .* ns=\([0-9]*\).*/\1 \2/p' <<<"$line") ;;
    esac
done < <(grep -a '^@\(spawn\|exit\) ' "$log")

# The median of RUNS wall times of one run of $1, in microseconds; empty
# when the host cannot run it.
host_us() {
    local times=() t0 t1
    for _ in $(seq "$runs"); do
        t0=$(date +%s%N)
        "$1" >/dev/null 2>&1 || return 0
        t1=$(date +%s%N)
        times+=($(( (t1 - t0) / 1000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p"
}

printf '%-20s %16s %10s %18s\n' "program" "mematlas (ms)" "syscalls" "host (ms, median)"
for prog in "$@"; do
    name=$(basename "$prog")
    read -r calls ns <<<"${ran[$name]:-? 0}"
    us=$(host_us "$prog")
    printf '%-20s %16s %10s %18s\n' "$name" \
        "$(awk -v n="$ns" 'BEGIN { printf "%.2f", n / 1e6 }')" "$calls" \
        "${us:+$(awk -v u="$us" 'BEGIN { printf "%.2f", u / 1e3 }')}"
done
echo "(mematlas: QEMU -icount shift=0, virtual time, the same on every run;" \
     "host: wall time, $runs runs)"
