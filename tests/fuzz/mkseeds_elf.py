#!/usr/bin/env python3
"""fuzz_elf's seeds: small static i386 programs, tests/fuzz/corpus/elf/.

Usage: tests/fuzz/mkseeds_elf.py

Each is an ELF32 header, its program headers right after it, and the
segments' file bytes, laid out as tests/host/test_elf.c makes its images
(text r-x from offset 0 holding the headers, data rw- with bss); the code
bytes are filler, only the layout matters to the parser. Existing seeds
are replaced.
"""
import pathlib
import struct

OUT = pathlib.Path(__file__).resolve().parent / "corpus" / "elf"
PT_LOAD, PT_PHDR, PT_TLS, PT_GNU_STACK = 1, 6, 7, 0x6474E551
R, W, X = 4, 2, 1
ET_EXEC, ET_DYN = 2, 3
PHOFF = 52


def image(kind, entry, segs):
    """segs: (type, offset, vaddr, filesz, memsz, flags, align) each."""
    head = b"\x7fELF\x01\x01\x01" + bytes(9)
    head += struct.pack("<HHIIIIIHHHHHH", kind, 3, 1, entry, PHOFF, 0, 0,
                        52, 32, len(segs), 40, 0, 0)
    table = b"".join(struct.pack("<8I", t, off, va, va, fs, ms, fl, al)
                     for t, off, va, fs, ms, fl, al in segs)
    size = max([PHOFF + len(table)] + [off + fs for t, off, va, fs, ms, fl, al in segs
                                      if t == PT_LOAD])
    body = bytearray((i * 7 + 0x90) & 0xFF for i in range(size))
    body[:PHOFF + len(table)] = head + table
    return bytes(body)


def main():
    text = (PT_LOAD, 0, 0x08048000, 0x200, 0x200, R | X, 0x1000)
    data = (PT_LOAD, 0x200, 0x08049200, 0x40, 0x1000, R | W, 0x1000)
    stack = (PT_GNU_STACK, 0, 0, 0, 0, R | W, 16)
    seeds = {
        "exec-text-data-bss": image(ET_EXEC, 0x08048100, [text, data, stack]),
        "exec-phdr-tls": image(ET_EXEC, 0x08048100, [
            (PT_PHDR, PHOFF, 0x08048000 + PHOFF, 5 * 32, 5 * 32, R, 4),
            text, data, (PT_TLS, 0x200, 0x08049200, 0x10, 0x30, R, 4), stack]),
        "static-pie": image(ET_DYN, 0x120, [
            (PT_LOAD, 0, 0, 0x300, 0x300, R | X, 0x1000),
            (PT_LOAD, 0x300, 0x1300, 0x10, 0x20, R | W, 0x1000), stack]),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    for name, data_ in seeds.items():
        (OUT / name).write_bytes(data_)
        print(f"{OUT / name}: {len(data_)} bytes")


if __name__ == "__main__":
    main()
