#!/usr/bin/env python3
"""Fails when a lower layer of the kernel includes a header of a higher one.

Usage: tools/check-layers.py [ROOT]      (default: the repository)

The layers, lowest first, are the folders of kernel/ and include/ (see
docs/architecture.md). A source or header may include headers of its own
layer and of the layers below it; the headers at the top of include/
(memlayout.h, sections.h, kernel.h) hold only constants and declarations
that every layer shares. kernel/main.c stands above every layer: it is
where the layers are put together.
"""
import pathlib
import re
import sys

LAYERS = ["lib", "arch", "console", "boot", "mm", "sched", "atlas", "guide"]
SHARED = {"memlayout.h", "sections.h", "kernel.h"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of(path, root):
    """The layer of a file under kernel/ or include/, or None for main.c."""
    parts = path.relative_to(root).parts
    if len(parts) >= 3 and parts[0] in ("kernel", "include") and parts[1] in LAYERS:
        return parts[1]
    return None


def header_layer(name):
    """The layer of an included header, "shared", or None when unknown."""
    head, _, rest = name.partition("/")
    if rest and head in LAYERS:
        return head
    if not rest and name in SHARED:
        return "shared"
    return None


def check(root):
    root = pathlib.Path(root).resolve()
    problems = []
    files = sorted(p for d in ("kernel", "include") for p in (root / d).rglob("*")
                   if p.suffix in (".c", ".h", ".S"))
    for path in files:
        mine = layer_of(path, root)
        for name in INCLUDE.findall(path.read_text(errors="replace")):
            theirs = header_layer(name)
            rel = path.relative_to(root)
            if theirs is None:
                problems.append(f"{rel}: includes \"{name}\", which is in no layer "
                                f"(write \"<layer>/{name}\" with one of {', '.join(LAYERS)})")
            elif mine and theirs != "shared" and LAYERS.index(theirs) > LAYERS.index(mine):
                problems.append(f"{rel}: the {mine} layer includes \"{name}\" from the "
                                f"higher {theirs} layer")
    return problems, len(files)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent
    problems, count = check(root)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"check-layers: {len(problems)} include(s) break the layering "
              f"({' < '.join(LAYERS)})", file=sys.stderr)
        return 1
    print(f"check-layers: {count} files, every include goes down or sideways")
    return 0


if __name__ == "__main__":
    sys.exit(main())
