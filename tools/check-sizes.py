#!/usr/bin/env python3
"""Fails when a C file is over 800 lines or a C function over 100.

Usage: tools/check-sizes.py [ROOT]      (default: the repository)

Files that do one job and functions that fit on a screen are what make
the kernel readable as a reference; these are the outer limits. A
function is found the way the project writes them: its opening brace
alone at the start of a line, its closing brace likewise.
"""
import pathlib
import re
import sys

FILE_MAX = 800
FUNCTION_MAX = 100
FOLDERS = ("boot", "kernel", "include", "tools", "tests")
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


def check(root):
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
    problems, count = check(root)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"check-sizes: {len(problems)} file(s) or function(s) too long", file=sys.stderr)
        return 1
    print(f"check-sizes: {count} C files, none over {FILE_MAX} lines, "
          f"no function over {FUNCTION_MAX}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
