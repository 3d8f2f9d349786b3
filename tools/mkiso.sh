#!/bin/sh
# mkiso.sh - build a bootable GRUB ISO around the kernel.
# Usage: [USER_PROGRAMS="build/user/NAME ..."] [GO_EXAMPLES="build/examples/go/NAME ..."]
#        [USER_MB1=1] tools/mkiso.sh KERNEL.elf OUT.iso [ENTRY [KERNEL OPTIONS...]]
#   ENTRY: 0 boots through Multiboot 2, 1 through Multiboot 1 (iso/'s menu);
#   or an entry's title, e.g. "demo: gc" (see the end of the menu).
#   USER_PROGRAMS: user programs to put in /boot/user/, each with menu
#   entries after iso/'s (see user_entries). Stripped ($USER_STRIP) and
#   xz-compressed: GRUB's module2 unpacks a compressed module as it loads
#   it (xzio), so the kernel gets the plain ELF file, and the ISO takes
#   less than half the space (static programs are ~650 KiB each).
#   GO_EXAMPLES: the guide's Go programs, to /boot/go/ the same way (Go's
#   are ~1.2 MiB stripped, ~420 KiB compressed), one menu entry each after
#   the user programs', with examples/go/NAME/kernel-args (if any) on the
#   kernel's command line.
# Only the GRUB modules the menu needs go in, for the BIOS platform only
# unless PLATFORMS names more (GRUB's directories under /usr/lib/grub:
# "i386-pc x86_64-efi i386-efi" makes the hybrid image, bootable from a CD
# or a USB stick on BIOS and on 64- and 32-bit UEFI). Without user
# programs the BIOS-only ISO stays under 1 MiB.
set -eu
kernel=$1 out=$2
entry=${3:-}
[ $# -ge 3 ] && shift 3 || shift $#

# Each option becomes one GRUB word in single quotes, where GRUB (like sh)
# takes every byte literally; a single quote itself is written '\''.
grub_words() {
    for opt in "$@"; do
        quoted=$(printf '%s' "$opt" | sed "s/'/'\\\\''/g")
        printf " '%s'" "$quoted"
    done
}
args=$(grub_words "$@")

top=$(cd "$(dirname "$0")/.." && pwd)
tree=$(mktemp -d "${TMPDIR:-/tmp}/mematlas-iso.XXXXXX")
trap 'rm -rf "$tree"' EXIT
cp -r "$top/iso/." "$tree/"
cp "$kernel" "$tree/boot/mematlas.elf"
cfg="$tree/boot/grub/grub.cfg"

# A program as GRUB's xzio reads it: stripped, then compressed.
pack() {
    ${USER_STRIP:-i686-linux-gnu-strip} -o "$tree/pack.tmp" "$1"
    # --x86: the BCJ filter for x86 code; CRC32: a check GRUB's xz reads.
    xz --check=crc32 --x86 --lzma2=preset=9e -c "$tree/pack.tmp" > "$2"
    rm -f "$tree/pack.tmp"
}

# The command lines (module strings: argv) of a user program's menu entries.
user_entries() {
    case $1 in
    bad) printf '%s\n' "bad null" "bad kernel-read" "bad text-write" ;;
    *) printf '%s\n' "$1" ;;
    esac
}

# One entry per command line, after iso/'s entries (whose numbers the tests
# use), in the order given: the kernel with the program as its one module.
# USER_MB1=1: those entries load the kernel through Multiboot 1 (multiboot,
# module) instead of 2 (multiboot2, module2).
mb=2
[ "${USER_MB1:-}" = 1 ] && mb=""
if [ -n "${USER_PROGRAMS:-}" ]; then
    mkdir -p "$tree/boot/user"
    for prog in $USER_PROGRAMS; do
        name=$(basename "$prog")
        pack "$prog" "$tree/boot/user/$name"
        user_entries "$name" | while read -r line; do
            printf '\nmenuentry "user: %s" {\n    insmod xzio\n    multiboot%s /boot/mematlas.elf\n    module%s /boot/user/%s %s\n    text_on_bios\n    boot\n}\n' \
                "$line" "$mb" "$mb" "$name" "$line" >> "$cfg"
        done
    done
fi
# The Go examples, after every user program's entry (tests boot those by
# number): "go: NAME", argv[0] NAME.
if [ -n "${GO_EXAMPLES:-}" ]; then
    mkdir -p "$tree/boot/go"
    for prog in $GO_EXAMPLES; do
        name=$(basename "$prog")
        pack "$prog" "$tree/boot/go/$name"
        kargs=""
        if [ -f "$top/examples/go/$name/kernel-args" ]; then
            # shellcheck disable=SC2046 # one word per option, as the file has them
            kargs=$(grub_words $(cat "$top/examples/go/$name/kernel-args"))
        fi
        printf '\nmenuentry "go: %s" {\n    insmod xzio\n    multiboot%s /boot/mematlas.elf%s\n    module%s /boot/go/%s %s\n    text_on_bios\n    boot\n}\n' \
            "$name" "$mb" "$kargs" "$mb" "$name" "$name" >> "$cfg"
    done
fi

# The console's tour, then every demo of the registry (kernel/guide/registry.c,
# the one table of demos; its entries start with '{ "NAME",'), each booting
# to the console with the demo on the screen.
# The tour's entry loads the Go programs that decide its sections
# (examples/go/tour-programs) when they are in the ISO, with their
# kernel-args, so that its pages say what real Go did.
tour_mods="" tour_args=""
if [ -n "${GO_EXAMPLES:-}" ]; then
    while read -r name; do
        case $name in ''|'#'*) continue ;; esac
        [ -f "$tree/boot/go/$name" ] || { echo "mkiso: the tour's Go program $name is not among GO_EXAMPLES" >&2; exit 1; }
        tour_mods="$tour_mods    module2 /boot/go/$name $name\n"
        [ -f "$top/examples/go/$name/kernel-args" ] || continue
        for w in $(cat "$top/examples/go/$name/kernel-args"); do
            case " $tour_args " in *" $w "*) ;; *) tour_args="$tour_args $w" ;; esac
        done
    done < "$top/examples/go/tour-programs"
fi
# shellcheck disable=SC2086 # one word per option
printf '\nmenuentry "tour" {\n    insmod xzio\n    multiboot2 /boot/mematlas.elf tour%s\n%b    boot\n}\n' \
    "$(grub_words $tour_args)" "$tour_mods" >> "$cfg"
sed -n 's/^ *{ "\([a-z0-9-]*\)",.*/\1/p' "$top/kernel/guide/registry.c" | while read -r demo; do
    printf '\nmenuentry "demo: %s" {\n    multiboot2 /boot/mematlas.elf demo=%s\n    boot\n}\n' \
        "$demo" "$demo" >> "$cfg"
done

# ENTRY: a number, or an entry's title ("demo: gc"), as GRUB's default takes.
if [ -n "$entry" ]; then
    sed -i "s/^set default=.*/set default=\"$entry\"/" "$cfg"
fi
if [ -n "$args" ]; then
    # awk, not sed, and through the environment, not -v: the options may hold
    # any of sed's special characters, and backslashes.
    ARGS=$args awk '/^ *multiboot2? \/boot\/mematlas.elf( |$)/ { $0 = $0 ENVIRON["ARGS"] } { print }' \
        "$cfg" > "$cfg.new" && mv "$cfg.new" "$cfg"
fi

# GRUB probes every partition map it knows when it opens the CD; without
# their modules it prints one "not found" error for each.
partmaps=$(cd /usr/lib/grub/i386-pc && ls part_*.mod | sed 's/\.mod$//' | tr '\n' ' ')
platforms=${PLATFORMS:-i386-pc}
# biosdisk is the BIOS platform's own (its CD core has it anyway); all_video
# brings each UEFI platform's drivers (efi_gop) for the framebuffer: a BIOS
# PC keeps text mode (grub.cfg), so the BIOS-only ISO goes without.
modules="normal multiboot multiboot2 serial terminal boot iso9660 xzio test keystatus $partmaps"
[ "$platforms" = i386-pc ] || modules="$modules all_video"
for p in $platforms; do
    [ -d "/usr/lib/grub/$p" ] || { echo "mkiso: GRUB's $p platform is not installed (/usr/lib/grub/$p)" >&2; exit 1; }
done
# grub-mkrescue takes one --directory (one platform), or none: then every
# platform installed under /usr/lib/grub goes in.
dirs=""
[ "$platforms" = i386-pc ] && dirs=--directory=/usr/lib/grub/i386-pc
# The image in the ISO loses its DWARF sections (GDB reads build/'s copy),
# not its symbol table.
${OBJCOPY:-objcopy} --strip-debug "$tree/boot/mematlas.elf"

# shellcheck disable=SC2086 # none or one word
grub-mkrescue $dirs --output="$out" --install-modules="$modules" \
    --fonts= --locales= --themes= --compress=xz \
    "$tree" >/dev/null 2>"$tree.log" || { cat "$tree.log" >&2; rm -f "$tree.log"; exit 1; }
rm -f "$tree.log"
