#!/bin/sh
# mkiso.sh - build a bootable GRUB ISO around the kernel.
# Usage: tools/mkiso.sh KERNEL.elf OUT.iso [ENTRY [KERNEL OPTIONS...]]
#   ENTRY: 0 boots through Multiboot 2, 1 through Multiboot 1 (iso/'s menu).
# Only the GRUB modules the menu needs go in, for the BIOS platform only
# (--directory: other platforms installed, such as grub-efi-*-bin, lack
# biosdisk and would stop the build): the ISO stays under 1 MiB.
set -eu
kernel=$1 out=$2
entry=${3:-}
[ $# -ge 3 ] && shift 3 || shift $#

# Each option becomes one GRUB word in single quotes, where GRUB (like sh)
# takes every byte literally; a single quote itself is written '\''.
args=""
for opt in "$@"; do
    quoted=$(printf '%s' "$opt" | sed "s/'/'\\\\''/g")
    args="$args '$quoted'"
done

top=$(cd "$(dirname "$0")/.." && pwd)
tree=$(mktemp -d "${TMPDIR:-/tmp}/mematlas-iso.XXXXXX")
trap 'rm -rf "$tree"' EXIT
cp -r "$top/iso/." "$tree/"
cp "$kernel" "$tree/boot/mematlas.elf"
cfg="$tree/boot/grub/grub.cfg"
if [ -n "$entry" ]; then
    sed -i "s/^set default=.*/set default=$entry/" "$cfg"
fi
if [ -n "$args" ]; then
    # awk, not sed, and through the environment, not -v: the options may hold
    # any of sed's special characters, and backslashes.
    ARGS=$args awk '/^ *multiboot2? \/boot\/mematlas.elf$/ { $0 = $0 ENVIRON["ARGS"] } { print }' \
        "$cfg" > "$cfg.new" && mv "$cfg.new" "$cfg"
fi

# GRUB probes every partition map it knows when it opens the CD; without
# their modules it prints one "not found" error for each.
partmaps=$(cd /usr/lib/grub/i386-pc && ls part_*.mod | sed 's/\.mod$//' | tr '\n' ' ')
# The image in the ISO loses its DWARF sections (GDB reads build/'s copy),
# not its symbol table.
${OBJCOPY:-objcopy} --strip-debug "$tree/boot/mematlas.elf"

grub-mkrescue --directory=/usr/lib/grub/i386-pc --output="$out" \
    --install-modules="normal multiboot multiboot2 serial terminal boot iso9660 biosdisk $partmaps" \
    --fonts= --locales= --themes= --compress=xz \
    "$tree" >/dev/null 2>"$tree.log" || { cat "$tree.log" >&2; rm -f "$tree.log"; exit 1; }
rm -f "$tree.log"
