#!/usr/bin/env python3
"""The rules of the source tree, checked from its text (make test runs them).

Usage: tools/check-tree.py [ROOT]      (default: the repository)

Layers: the layers, lowest first, are the folders of kernel/ and include/
(see docs/architecture.md). A source or header may include headers of its
own layer and of the layers below it; the headers at the top of include/
(memlayout.h, sections.h, kernel.h) hold only constants and declarations
that every layer shares. kernel/main.c stands above every layer: it is
where the layers are put together.

Sizes: no C file over 800 lines, no C function over 100. Files that do one
job and functions that fit on a screen are what make the kernel readable
as a reference; these are the outer limits. A function is found the way
the project writes them: its opening brace alone at the start of a line,
its closing brace likewise.
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


def check_layers(root):
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


FILE_MAX = 800
FUNCTION_MAX = 100
FOLDERS = ("boot", "kernel", "include", "tools", "tests", "user")
NAME = re.compile(r"([A-Za-z_]\w*)\s*\([^()]*(?:\([^()]*\)[^()]*)*\)\s*$", re.S)


def functions(lines):
    """(name, first line, length) of each function: signature to closing brace."""
    i = 0
    while i < len(lines):
        if lines[i].startswith("{"):
            start = i
            while start > 0 and lines[start - 1].strip() and \
                    not lines[start - 1].rstrip().endswith((";", "}", "*/")) and \
                    not lines[start - 1].startswith("#"):
                start -= 1
            end = i
            while end < len(lines) and not lines[end].startswith("}"):
                end += 1
            m = NAME.search(" ".join(lines[start:i]))
            yield (m.group(1) if m else "?"), start + 1, end - start + 1
            i = end
        i += 1


def check_sizes(root):
    root = pathlib.Path(root).resolve()
    problems, count = [], 0
    for folder in FOLDERS:
        for path in sorted((root / folder).rglob("*.c")):
            count += 1
            rel = path.relative_to(root)
            lines = path.read_text(errors="replace").split("\n")
            if len(lines) - 1 > FILE_MAX:
                problems.append(f"{rel}: {len(lines) - 1} lines (at most {FILE_MAX})")
            for name, first, length in functions(lines):
                if length > FUNCTION_MAX:
                    problems.append(f"{rel}:{first}: {name} is {length} lines "
                                    f"(at most {FUNCTION_MAX})")
    return problems, count


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent
    layer_problems, headers = check_layers(root)
    size_problems, sources = check_sizes(root)
    for p in layer_problems + size_problems:
        print(p, file=sys.stderr)
    if layer_problems or size_problems:
        print(f"check-tree: {len(layer_problems)} include(s) break the layering "
              f"({' < '.join(LAYERS)}); {len(size_problems)} file(s) or function(s) "
              f"too long", file=sys.stderr)
        return 1
    print(f"check-tree: {headers} files include only down or sideways; {sources} C files, "
          f"none over {FILE_MAX} lines, no function over {FUNCTION_MAX}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
