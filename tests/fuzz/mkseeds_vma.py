#!/usr/bin/env python3
"""fuzz_vma's seeds: programs of address-space operations, tests/fuzz/corpus/vma/.

Usage: tests/fuzz/mkseeds_vma.py

Each seed is written in fuzz_vma.c's input format (its opening comment
and readers): a byte placing the window, a byte for the slots, then
operations. They play what a process does: an ELF program's text and data
(a file image, the data's last page partly file bytes), brk growing and
shrinking, mmap and munmap cycles, mprotect, a stack under a guard; and
the edges: a window at address 0 and one ending just under 4 GiB, a set
of one or two slots. Existing seeds are replaced.
"""
import pathlib
import struct

OUT = pathlib.Path(__file__).resolve().parent / "corpus" / "vma"
INSERT, MMAP, MUNMAP, MPROTECT, BRK, GAP = range(6)
R, W, X = 1, 2, 4
ANON, FILE, HEAP, STACK, GUARD = range(5)
NAMES = {"": 0, "text": 1, "mmap": 2, "a-longer-name": 3}


def place(base_mode, lo_pages=0, hi_pages=0, cap=16):
    """The window (0: at 0, 1: 0x08048000, 2: under 4 GiB, 3: under 3 GiB)."""
    return bytes([base_mode | lo_pages << 2 | hi_pages << 5, cap - 1])


def addr(page):
    """A page of the window (-32 to 1055), as get_addr reads it."""
    return struct.pack("<H", page + 32)


def length(pages, less=0):
    """pages whole pages (8 * n for n > 127), less `less` bytes (a multiple of 16)."""
    big = pages > 127
    n = pages // 8 if big else pages
    assert n * (8 if big else 1) == pages and 0 < n < 128 and less % 16 == 0
    return bytes([n | (0x80 if big else 0), (less // 16) << 1 | (1 if less else 0)])


def attrs(prot, kind, name="", flags=0, file_src=None):
    """attr and extra bytes, then the file's source or the junk byte."""
    out = bytes([prot | kind << 3 | NAMES[name] << 6, flags])
    if kind != FILE:
        return out + b"\0"
    base_mode, size = file_src          # base 0: the image over the window
    return out + bytes([base_mode | 3 << 2]) + struct.pack("<I", size)


def insert(page, pages, *a, **k):
    assert 1 <= pages <= 64
    return bytes([INSERT]) + addr(page) + bytes([pages - 1]) + attrs(*a, **k)


def mmap(pages, *a, **k):
    return bytes([MMAP]) + length(pages) + attrs(*a, **k)


def munmap(page, pages, less=0):
    return bytes([MUNMAP]) + addr(page) + length(pages, less)


def mprotect(page, pages, prot):
    return bytes([MPROTECT]) + addr(page) + length(pages) + bytes([prot])


def brk(page, delta):
    """The area starting at page: its end moved by delta pages (127: to the
    next area's start)."""
    return bytes([BRK, 0]) + addr(page) + struct.pack("<b", delta)


def gap(pages, below_page):
    return bytes([GAP]) + length(pages) + addr(below_page)


def elf_process():
    p = place(1, cap=16)
    p += insert(0, 8, R | X, FILE, "text", file_src=(0, 8 * 4096))
    p += insert(8, 4, R | W, FILE, "", file_src=(0, 4096 + 0x234))
    p += insert(12, 1, R | W, HEAP)
    p += brk(12, 5) + brk(12, 20) + brk(12, -10) + brk(12, 3)
    p += insert(60, 2, R | W, HEAP) + brk(12, 127)      # up to a like area: merged
    p += insert(1023 - 33, 1, 0, GUARD, "a-longer-name")
    p += insert(1023 - 32, 32, R | W, STACK, "a-longer-name")
    p += mmap(16, R | W, ANON, "mmap") + mmap(3, R, FILE, "mmap", file_src=(1, 5000))
    p += mprotect(9, 1, R) + mprotect(2, 2, R | W | X) + mprotect(2, 2, R | X)
    p += munmap(4, 6) + gap(5, 1024) + gap(2, 10)
    p += mprotect(1023 - 33, 2, 0) + mprotect(1023 - 33, 1, R)
    return p


def mmap_cycles():
    p = place(3, lo_pages=2, hi_pages=1, cap=4)
    p += insert(2, 32, R | X, FILE, "text", file_src=(0, 32 * 4096))
    for n in (1, 4, 2, 7, 3):
        p += mmap(n, R | W, ANON, "mmap") + mprotect(1023 - n, 1, R) + mprotect(1023 - n, 1, R | W)
    p += munmap(900, 124) + mmap(9, R | W, ANON, "mmap") + munmap(1000, 4, less=32)
    return p


def low_edge():
    p = place(0, cap=8)
    p += insert(0, 2, R, ANON) + insert(4, 4, R | W, FILE, file_src=(0, 100))
    p += gap(2, 4) + gap(1, 1) + gap(3, 8)
    p += munmap(-4, 8) + mprotect(-1, 2, R) + brk(4, -4)
    return p


def high_edge():
    p = place(2, cap=8)                 # the window ends at 0xFFFFF000
    p += insert(1024 - 4, 4, R | W, FILE, file_src=(1, 3 * 4096))
    p += insert(1024 - 8, 4, R | W, FILE, file_src=(1, 0))
    p += gap(4, 1024) + gap(4, 1030) + munmap(1023, 2) + munmap(1022, 1)
    p += brk(1024 - 8, 1) + brk(1024 - 4, 2) + gap(1, 1024)
    return p


def few_slots():
    p = place(1, cap=2)
    p += insert(10, 10, R | W, ANON) + insert(30, 10, R | W, ANON, "mmap")
    p += munmap(14, 2) + mprotect(12, 2, R) + mprotect(10, 30, R)
    p += insert(20, 10, R, ANON) + munmap(10, 10) + insert(5, 2, R, ANON) + insert(50, 1, R, HEAP)
    return p


def main():
    seeds = {"elf-process": elf_process(), "mmap-cycles": mmap_cycles(),
             "low-edge": low_edge(), "high-edge": high_edge(), "few-slots": few_slots()}
    OUT.mkdir(parents=True, exist_ok=True)
    for name, data in seeds.items():
        (OUT / name).write_bytes(data)
        print(f"{OUT / name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
