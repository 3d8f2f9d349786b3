#!/usr/bin/python3
"""Generate docs/tour.md from docs/tour.md.in and one real boot.

    tools/mktour.py            write docs/tour.md
    tools/mktour.py --check    fail if docs/tour.md no longer matches a fresh
                               run, numbers aside (addresses, sizes, cycles)
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, os.environ.get("MEMATLAS_BUILD", "build"))
ELF = os.path.join(BUILD, "mematlas.elf")
APPEND = 'exit demo=all one "two words" GOGC=100 EMPTY= GODEBUG=gctrace=1'
SECTIONS = ["layout", "stack", "heap", "data", "code", "stack-vs-heap", "escape", "gc",
            "goroutines"]
# The guide's Go programs the tour runs after its demos (boot modules, in
# this order), each deciding its section's verdict (kernel/guide/tour_go.c).
PROGRAMS = [line.strip() for line in open(os.path.join(ROOT, "examples", "go", "tour-programs"))
            if line.strip() and not line.startswith("#")]
GO = os.path.join(BUILD, "examples", "go")


def boot():
    # Relative to the tree, so that @boot's cmdline is the same on every
    # machine; shown as the default build directory.
    elf = os.path.relpath(ELF, ROOT)
    modules = [os.path.relpath(os.path.join(GO, n), ROOT) for n in PROGRAMS]
    for m in modules:
        if not os.path.exists(os.path.join(ROOT, m)):
            sys.exit(f"mktour: {m} is missing: make examples builds it")
    cmd = ["qemu-system-i386", "-accel", "tcg", "-icount", "shift=0,sleep=off",
           "-no-reboot", "-m", "256M",
           "-display", "none", "-serial", "stdio", "-monitor", "none",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-kernel", elf, "-append", APPEND, "-initrd", ",".join(modules)]
    run = subprocess.run(cmd, capture_output=True, timeout=300, cwd=ROOT)
    if run.returncode != 33:
        sys.exit(f"mktour: the boot exited {run.returncode}, not 33")
    shown = ["qemu-system-i386 -accel tcg -icount shift=0,sleep=off -m 256M \\",
             "    -serial stdio -display none \\",
             "    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \\",
             "    -kernel build/mematlas.elf \\",
             f"    -append '{APPEND}' \\",
             "    -initrd " + ",".join(f"build/examples/go/{n}" for n in PROGRAMS)]
    output = run.stdout.decode("latin-1").replace("\r\n", "\n")
    output = output.replace(f'cmdline="{elf} ', 'cmdline="build/mematlas.elf ', 1)
    for m, n in zip(modules, PROGRAMS):
        output = output.replace(m, f"build/examples/go/{n}")
    return output, "\n".join(shown)


def sections(output):
    """The lines of each top-level demo, from its '---- demo' line to the next."""
    found, name, lines = {}, None, []
    for line in output.splitlines():
        m = re.match(r"^---- demo (\S+):", line)
        if m and m.group(1) in SECTIONS:
            if name:
                found[name] = lines
            name, lines = m.group(1), []
        if name:
            if line.startswith("@test") or line.startswith("@summary") or \
               line.startswith("mematlas: done") or re.match(r"^process \d+: ", line):
                found[name] = lines
                name = None
                continue
            lines.append(line)
    if name:
        found[name] = lines
    return found


def programs(output):
    """{name: lines} of each Go program: from its @spawn to the end of what
    the kernel says after its @exit, without its regions (the @region
    records and the drawing of its atlas, which the tour does not show)."""
    found, name, drawing = {}, None, False
    for line in output.splitlines():
        m = re.match(r'^@spawn pid=\d+ argv="build/examples/go/([^" ]+)', line)
        if m:
            name, drawing = m.group(1), False
            found[name] = []
        elif name and (re.match(r"^process \d+: ", line) or line.startswith("mematlas: done")):
            name = None
        if not name:
            continue
        if re.match(r"^Process \d+ \(.*\) at its exit", line):
            drawing = True
        elif drawing and line.startswith("@"):
            drawing = False
        if not drawing and not line.startswith("@region"):
            found[name].append(line)
    return {name: cut_gc_trace(lines) for name, lines in found.items()}


def cut_gc_trace(lines, keep=3):
    """A run of more than keep + 1 "gc N @" lines (GODEBUG=gctrace=1) cut to
    its first keep: how many collections a run makes varies with its timing."""
    out, run = [], 0
    for line in lines + [""]:
        if re.match(r"^gc \d+ @", line):
            run += 1
            if run <= keep:
                out.append(line)
            continue
        if run > keep:
            out.append(f"... and {run - keep} more gc lines")
        run = 0
        out.append(line)
    return out[:-1]


def escapes(name):
    """The compiler's decisions to move a variable to the heap, for program
    name (build/examples/go/NAME.escape.txt, `go build -gcflags=-m`)."""
    path = os.path.join(GO, name + ".escape.txt")
    if not os.path.exists(path):
        sys.exit(f"mktour: {path} is missing: make examples writes it")
    with open(path) as f:
        return [l.rstrip() for l in f if "moved to heap" in l]


def boot_records(output, keep=6):
    """The records of the boot before its first demo; a run of more than
    keep + 2 records of one type is cut to its first keep."""
    records = []
    for line in output.splitlines():
        if line.startswith("---- demo"):
            break
        if line.startswith("@"):
            records.append(line)
    out, i = [], 0
    while i < len(records):
        kind = records[i].split(" ", 1)[0]
        j = i
        while j < len(records) and records[j].split(" ", 1)[0] == kind:
            j += 1
        if j - i > keep + 2:
            out += records[i:i + keep] + [f"... and {j - i - keep} more {kind} records"]
        else:
            out += records[i:j]
        i = j
    return out


def render():
    output, command = boot()
    parts = sections(output)
    with open(os.path.join(ROOT, "docs", "tour.md.in")) as f:
        text = f.read()
    text = text.replace("{{command}}", command)
    text = text.replace("{{records:boot}}", "```\n" + "\n".join(boot_records(output)) + "\n```")
    for name in SECTIONS:
        if name not in parts:
            sys.exit(f"mktour: the boot printed no section for demo {name}")
        block = "\n".join(parts[name]).rstrip()
        text = text.replace("{{output:%s}}" % name, "```\n" + block + "\n```")
    ran = programs(output)
    for name in PROGRAMS:
        if not ran.get(name):
            sys.exit(f"mktour: the boot did not run {name}")
        block = "\n".join(l for l in ran[name]).strip("\n")
        text = text.replace("{{program:%s}}" % name, "```\n" + block + "\n```")
        text = text.replace("{{escape:%s}}" % name, "```\n" + "\n".join(escapes(name)) + "\n```")
    leftover = re.findall(r"\{\{[^}]*\}\}", text)
    if leftover:
        sys.exit(f"mktour: unfilled placeholders {leftover}")
    return ("<!-- Generated by tools/mktour.py from docs/tour.md.in and a real boot: "
            "edit the .in file, then run make tour. -->\n\n" + text)


def shape(text):
    """What must not change between runs: the prose as it is, and each output
    block's lines with every number masked but the stack-vs-heap ratios
    ("7.8x": the boot counts instructions, so they are exact), in any order
    (tasks interleave)."""
    def mask(s):
        ratios = re.findall(r"\b\d+\.\dx\b", s)
        s = re.sub(r"\b\d+\.\dx\b", "RATIO", s)
        s = re.sub(r"0x[0-9a-fA-F]+", "0xN", s)
        s = re.sub(r"\b[0-9a-f]{8,9}\b", "H", s)
        s = re.sub(r"\d+(\.\d+)?", "N", s)
        for r in ratios:
            s = s.replace("RATIO", r, 1)
        return re.sub(r"[ \t]+", " ", s).rstrip()
    pieces = re.split(r"^```$", text, flags=re.M)
    out = []
    for i, piece in enumerate(pieces):
        lines = [mask(l) for l in piece.splitlines()]
        out.extend(sorted(lines) if i % 2 else lines)
    return "\n".join(out)


def main():
    fresh = render()
    path = os.path.join(ROOT, "docs", "tour.md")
    if "--check" in sys.argv:
        with open(path) as f:
            old = f.read()
        if shape(old) != shape(fresh):
            import difflib
            diff = difflib.unified_diff(shape(old).splitlines(), shape(fresh).splitlines(),
                                        "docs/tour.md", "fresh run", lineterm="", n=1)
            print("\n".join(list(diff)[:60]))
            sys.exit("mktour: docs/tour.md is stale: run make tour")
        print("mktour: docs/tour.md matches a fresh run")
        return
    with open(path, "w") as f:
        f.write(fresh)
    print(f"mktour: wrote {path}")


if __name__ == "__main__":
    main()
