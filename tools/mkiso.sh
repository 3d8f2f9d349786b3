#!/bin/sh
# mkiso.sh - build a bootable GRUB ISO around the kernel.
# Usage: tools/mkiso.sh KERNEL.elf OUT.iso [ENTRY [KERNEL OPTIONS...]]
#   ENTRY: 0 boots through Multiboot 2, 1 through Multiboot 1 (iso/'s menu).
# Only the GRUB modules the menu needs go in: the ISO stays near 1 MiB.
set -eu
kernel=$1 out=$2
entry=${3:-}
[ $# -ge 3 ] && shift 3 || shift $#
args="$*"

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
    sed -i "s|^\( *multiboot2\{0,1\} /boot/mematlas.elf\)\$|\1 $args|" "$cfg"
fi

grub-mkrescue --output="$out" \
    --install-modules="normal multiboot multiboot2 serial terminal boot iso9660 biosdisk" \
    --fonts= --locales= --themes= --compress=xz \
    "$tree" >/dev/null 2>"$tree.log" || { cat "$tree.log" >&2; rm -f "$tree.log"; exit 1; }
rm -f "$tree.log"
