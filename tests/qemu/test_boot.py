"""QEMU serial-log tests: boot the real kernel and check what it reports.

Nothing here depends on an address the build can move: the kernel's report
is compared with the ELF file itself (readelf, nm), and with orderings,
alignments and containment.
"""
import os
import re
import socket
import subprocess
import time

import pytest

import protocol
import qemu_boot as q

MiB = 1 << 20
GiB = 1 << 30
PAGE = 4096
KERNEL_VIRT_BASE = 0xC0000000

# name, how, memory. "kernel" is QEMU's -kernel (Multiboot 1 only); the ISOs
# boot through GRUB's multiboot2 (entry 0) and multiboot (entry 1) commands,
# and through ISOLINUX's mboot.c32 (Multiboot 1, with user/hello as a module).
CONFIGS = [
    ("kernel-8M", "kernel", "8M"),
    ("kernel-128M", "kernel", "128M"),
    ("kernel-1G", "kernel", "1G"),
    ("kernel-3G", "kernel", "3G"),
    ("kernel-4G", "kernel", "4G"),
    ("grub-mb2-128M", "mb2", "128M"),
    ("grub-mb1-128M", "mb1", "128M"),
    ("grub-mb2-3G", "mb2", "3G"),
    ("isolinux-128M", "isolinux", "128M"),
]
MEM_BYTES = {"8M": 8 * MiB, "128M": 128 * MiB, "1G": GiB, "3G": 3 * GiB, "4G": 4 * GiB}

_boots = {}


def booted(config):
    """Each configuration boots once per test session."""
    if config not in _boots:
        name, how, mem = next(c for c in CONFIGS if c[0] == config)
        if how == "kernel":
            _boots[config] = q.boot(kernel=q.ELF, mem=mem, append="mode=test exit")
        else:
            _boots[config] = q.boot(iso=q.TEST_ISO[how], mem=mem)
    return _boots[config]


ALL = [c[0] for c in CONFIGS]

# The kernel's sections: region name -> (start symbol, end symbol).
KERNEL_REGIONS = {
    "kernel.image": ("_kernel_start", "_kernel_end"),
    "kernel.headers": ("_multiboot_start", "_multiboot_end"),
    "kernel.text": ("_text_start", "_text_end"),
    "kernel.rodata": ("_rodata_start", "_rodata_end"),
    "kernel.data": ("_data_start", "_data_end"),
    "kernel.bss": ("_bss_start", "_bss_end"),
    "boot.stack.guard": ("_boot_stack_guard_start", "_boot_stack_guard_end"),
    "boot.stack": ("_boot_stack_bottom", "_boot_stack_top"),
}
# The same regions by ELF section, where there is one.
KERNEL_SECTIONS = {"kernel.headers": ".multiboot", "kernel.text": ".text",
                   "kernel.rodata": ".rodata", "kernel.data": ".data",
                   "kernel.bss": ".bss"}


def num(s):
    return int(s, 16)


def span(r):
    return num(r["start"]), num(r["end"])


# ---- every configuration ----------------------------------------------------

@pytest.mark.parametrize("config", ALL)
def test_boots_and_passes_self_tests(config):
    b = booted(config)
    b.assert_success()
    summary = b.one("summary")
    tests = b.all("test")
    assert int(summary["passed"]) == len([t for t in tests if t["result"] == "pass"])
    assert int(summary["failed"]) == 0, [t["name"] for t in tests if t["result"] != "pass"]
    assert len(tests) >= 10


@pytest.mark.parametrize("config", ALL)
def test_boot_line_names_protocol_and_loader(config):
    b = booted(config)
    boot_line = b.one("boot")
    how = next(c[1] for c in CONFIGS if c[0] == config)
    assert boot_line["protocol"] == ("multiboot2" if how == "mb2" else "multiboot1")
    if how == "kernel":
        assert boot_line["loader"] == "qemu"
        # QEMU puts the image path first; the kernel must not take it as an argument.
        assert boot_line["cmdline"].split()[0].endswith("mematlas.elf")
    elif how == "isolinux":
        # mboot.c32 writes the kernel's file first too, and calls itself
        # ISOLINUX: the kernel must know that is no argument either.
        assert boot_line["loader"].startswith("ISOLINUX")
        assert boot_line["cmdline"] == "/k.elf mode=test exit"
        # Its module's string starts with the module's file: argv[0].
        assert [s["argv"] for s in b.all("spawn")] == ["/hello"]
        assert [e.get("status") for e in b.all("exit")] == ["0"]
    else:
        assert boot_line["loader"].startswith("GRUB")
        assert boot_line["cmdline"] == "mode=test exit"
    args = [a["value"] for a in b.all("arg")]
    assert args == ["mematlas"]
    assert [r for k, r in b.records if k in ("warn", "panic")] == []


@pytest.mark.parametrize("config", ALL)
def test_kernel_regions_match_the_elf(config):
    b = booted(config)
    syms = q.elf_symbols()
    sections = q.elf_sections()
    for name, (s0, s1) in KERNEL_REGIONS.items():
        v = b.region("virtual", name)
        p = b.region("physical", name)
        assert span(v) == (syms[s0], syms[s1]), name
        assert span(p) == (syms[s0] - KERNEL_VIRT_BASE, syms[s1] - KERNEL_VIRT_BASE), name
        assert num(p["phys"]) == num(p["start"])
        assert int(v["size"]) == syms[s1] - syms[s0]
        assert syms[s0] % PAGE == 0, f"{name} does not start on a page boundary"
        if name == "boot.stack.guard":
            assert v["phys"] == "none" and v["perm"] == "---"
        else:
            assert num(v["phys"]) == syms[s0] - KERNEL_VIRT_BASE
        if name in KERNEL_SECTIONS:
            # The section holds the region, then padding up to the next page.
            addr, size = sections[KERNEL_SECTIONS[name]]
            assert num(v["start"]) == addr and num(v["end"]) <= addr + size, name
            assert (addr + size) % PAGE == 0, f"{name}'s section leaves a hole"
    order = ["kernel.headers", "kernel.text", "kernel.rodata", "kernel.data",
             "kernel.bss", "boot.stack.guard", "boot.stack"]
    starts = [span(b.region("virtual", n)) for n in order]
    for (a0, a1), (b0, b1) in zip(starts, starts[1:]):
        assert a1 <= b0, "kernel sections are out of linker.ld's order"


@pytest.mark.parametrize("config", ALL)
def test_region_permissions_match_program_headers(config):
    """Each kernel section's perm equals the flags of the PT_LOAD holding it,
    and its physical address is the segment's load address."""
    b = booted(config)
    segs = q.elf_segments()
    for name in KERNEL_SECTIONS:
        r = b.region("virtual", name)
        start, end = span(r)
        seg = [s for s in segs if s[0] <= start and end <= s[0] + s[2]]
        assert len(seg) == 1, f"{name} is not inside exactly one load segment"
        vaddr, paddr, _, flags = seg[0]
        want = ("r" if "R" in flags else "-") + ("w" if "W" in flags else "-") + \
               ("x" if "E" in flags else "-")
        assert r["perm"] == want, name
        assert num(r["phys"]) == paddr + (start - vaddr), name


@pytest.mark.parametrize("config", ALL)
def test_regions_sorted_and_nested_or_disjoint(config):
    b = booted(config)
    for space in ("virtual", "physical"):
        rs = [span(r) for r in b.regions(space)]
        assert rs, space
        assert [s for s, _ in rs] == sorted(s for s, _ in rs), f"{space} regions unsorted"
        for i, (a0, a1) in enumerate(rs):
            assert a0 <= a1
            for b0, b1 in rs[i + 1:]:
                disjoint = a1 <= b0 or b1 <= a0
                nested = (a0 <= b0 and b1 <= a1) or (b0 <= a0 and a1 <= b1)
                assert disjoint or nested, f"{space}: {a0:#x}-{a1:#x} and {b0:#x}-{b1:#x}"
        names = [r["name"] for r in b.regions(space)]
        assert len(names) == len(set(names)), f"duplicate {space} region names"
    required = ["kernel.text", "kernel.rodata", "kernel.data", "kernel.bss",
                "boot.stack", "boot.stack.guard", "multiboot.info", "cmdline",
                "vga.text", "bios.ivt", "bios.bda", "video.ram", "bios.rom"]
    names = {r["name"] for r in b.all("region")}
    assert not [n for n in required if n not in names]


@pytest.mark.parametrize("config", ALL)
def test_memory_map_agrees_with_qemu_m(config):
    b = booted(config)
    mem = MEM_BYTES[next(c[2] for c in CONFIGS if c[0] == config)]
    entries = [(int(e["start"], 16), int(e["end"], 16), e["type"]) for e in b.all("mmap")]
    assert entries
    avail = sorted((s, e) for s, e, t in entries if t == "available")
    for (a0, a1), (b0, b1) in zip(avail, avail[1:]):
        assert a1 <= b0, "available RAM ranges overlap (a truncated 64-bit entry?)"
    total = sum(e - s for s, e in avail)
    # QEMU's firmware keeps the 384 KiB hole below 1 MiB and a little at the top.
    assert mem - 1 * MiB <= total <= mem, f"{total} bytes of RAM for -m {mem}"
    above = [(s, e) for s, e in avail if s >= 4 * GiB]
    if mem > 3 * GiB:
        assert above, "RAM above 4 GiB is missing from the map"
        assert all(e > s for s, e in above)
    # Every available range appears as a ram.N region with the same bounds.
    rams = sorted(span(r) for r in b.regions("physical") if r["name"].startswith("ram."))
    assert rams == avail


@pytest.mark.parametrize("config", ALL)
def test_symbols_match_the_elf_and_their_regions(config):
    b = booted(config)
    syms = q.elf_symbols()
    virtual = b.regions("virtual")
    symbols = b.all("symbol")
    assert {"globalCount", "zeroCount", "literal.hello", "add",
            "kernel_main.sum", "createSlice.nums"} <= {s["name"] for s in symbols}
    want_region = {"globalCount": "kernel.data", "zeroCount": "kernel.bss",
                   "literal.hello": "kernel.rodata", "add": "kernel.text",
                   "kernel_main.sum": "boot.stack", "createSlice.nums": "heap"}
    for s in symbols:
        addr = num(s["addr"])
        if "." not in s["name"]:
            assert addr == syms[s["name"]], f"{s['name']} is not where nm says"
        holders = [r for r in virtual if num(r["start"]) <= addr < num(r["end"])]
        innermost = min(holders, key=lambda r: num(r["end"]) - num(r["start"]))
        assert s["region"] == innermost["name"], s
        assert s["region"] == want_region[s["name"]], s


@pytest.mark.parametrize("config", ALL)
def test_boot_loader_data_regions(config):
    b = booted(config)
    boot_line = b.one("boot")
    cmd = b.region("physical", "cmdline")
    assert int(cmd["size"]) == len(boot_line["cmdline"].encode()) + 1
    info = b.region("physical", "multiboot.info")
    if boot_line["protocol"] == "multiboot2":
        # In Multiboot 2 the command line is a tag inside the information block.
        i0, i1 = span(info)
        c0, c1 = span(cmd)
        assert i0 <= c0 and c1 <= i1
        assert "elf.sections" in {r["name"] for r in b.regions("physical")}
    # Loader data never overlaps the kernel image.
    k0, k1 = span(b.region("physical", "kernel.image"))
    for name in ("multiboot.info", "cmdline", "boot.loader.name", "multiboot.mmap"):
        found = [r for r in b.regions("physical") if r["name"] == name]
        for r in found:
            s, e = span(r)
            assert e <= k0 or s >= k1, f"{name} overlaps the kernel image"


@pytest.mark.parametrize("config", ["kernel-128M", "grub-mb2-128M"])
def test_human_diagram_names_every_region(config):
    b = booted(config)
    text = b.output
    assert "Virtual address space" in text and "Physical memory" in text
    for r in b.all("region"):
        assert re.search(r"\| " + re.escape(r["name"]) + r" ", text), r["name"]
    # Box lines are all the same width up to the closing border.
    box = [l for l in b.lines if re.match(r"^ {0,12}(0x[0-9a-f]+)? *[|+]", l)]
    widths = {len(re.split(r"(?<=[|+])  (?=\S)", l.rstrip())[0]) for l in box}
    assert len(widths) == 1, widths


# ---- the command line --------------------------------------------------------

def test_arguments_environment_and_quotes():
    b = q.boot(append='mode=test exit hello "two words" FOO=bar EMPTY= QUOTED="a b" '
                      '-- exit X=Y')
    b.assert_success()
    assert [a["value"] for a in b.all("arg")] == ["mematlas", "hello", "two words",
                                                  "exit", "X=Y"]
    assert [e["value"] for e in b.all("env")] == ["FOO=bar", "EMPTY=", "QUOTED=a b"]


def test_kernel_path_with_spaces_is_not_an_argument(tmp_path):
    image = tmp_path / "my os" / "mem atlas.elf"
    image.parent.mkdir()
    image.write_bytes(open(q.ELF, "rb").read())
    b = q.boot(kernel=str(image), append="mode=test exit hello")
    b.assert_success()
    assert [a["value"] for a in b.all("arg")] == ["mematlas", "hello"]


def test_hundred_environment_variables():
    env = " ".join(f"VAR{i}=value{i}" for i in range(100))
    b = q.boot(append="mode=test exit " + env)
    b.assert_success()
    assert [e["value"] for e in b.all("env")] == [f"VAR{i}=value{i}" for i in range(100)]


def test_non_ascii_and_unbalanced_quote_are_reported_and_boot_goes_on():
    # Python hands QEMU the argument as UTF-8: the first bad byte is 0xc3.
    b = q.boot(append='mode=test exit caf\xe9 kept "unterminated tail')
    b.assert_success()
    warns = [w["msg"] for w in b.all("warn") if w["source"] == "cmdline"]
    assert any("0xc3" in w and "dropped" in w for w in warns), warns
    assert any("unbalanced quote" in w for w in warns), warns
    assert [a["value"] for a in b.all("arg")] == ["mematlas", "kept", "unterminated tail"]


@pytest.mark.parametrize("length", [6000, 70000])
def test_overlong_command_line_is_cut_with_a_message(length):
    """10 KB or 70 KB (past the 64 KiB the kernel looks for an end in): the
    same cut, the options at the start kept."""
    b = q.boot(append="mode=test exit " + "x" * length)
    b.assert_success()
    warns = [w["msg"] for w in b.all("warn") if w["source"] == "boot"]
    assert any("command line is" in w and "kept the first 4095" in w for w in warns), warns
    assert len(b.one("boot")["cmdline"]) == 4095


def demo_warnings(b):
    return [w["msg"] for w in b.all("warn") if w["source"] == "demo"]


@pytest.mark.parametrize("name", ["no-such-demo", ""])
def test_unknown_demo_is_reported_and_fails_the_run(name):
    b = q.boot(append=f"mode=test exit demo={name}")
    assert b.exit_code == q.EXIT_FAILURE and not b.timed_out, b.describe_failure()
    assert f'demo "{name}" is not known' in b.output
    warns = demo_warnings(b)
    assert len(warns) == 1 and f'demo "{name}" is not known' in warns[0], warns
    # The message lists the demos there are.
    for known in ("layout", "all", "goroutines", "stack-overflow", "stack-frames"):
        assert known in warns[0].split("the demos are:")[1].split(), (known, warns[0])
    assert not b.all("demo")
    assert b.one("summary")["failed"] == "0"     # the self-tests still ran


def test_unknown_demo_leaves_the_atlas_on_the_screen():
    b, vga = q.boot_and_read_vga(append="mode=test exit pause demo=no-such-demo")
    assert b.exit_code == q.EXIT_FAILURE, b.describe_failure()
    rows = q.vga_text(vga)
    assert "mematlas" in rows[0] and "multiboot1" in rows[0], rows[0]
    assert any(r.startswith("VIRTUAL") for r in rows), "\n".join(rows)
    summary = b.one("summary")
    assert f"self-test: {summary['passed']} passed, {summary['failed']} failed" in rows[24]


def test_without_exit_the_boot_ends_at_the_prompt_and_halt_exits():
    s = q.Session(append="mode=test")
    assert "@summary passed=" in s.boot_output
    s.send(b"halt\r")
    b = s.finish()
    b.assert_success()                  # healthy: the self-tests passed
    assert b.one("summary")["failed"] == "0"


def test_iso_options_reach_the_kernel_as_written(tmp_path):
    """tools/mkiso.sh bakes options into grub.cfg; GRUB's own syntax must not
    eat or split them: & | ; " ' $ \\ and spaces arrive as written."""
    words = ["K=a&b", "K2=a|b", "K3=a;b", 'Q="x"', "S='y'", "D=$HOME", "B=a\\b",
             "SP=a b"]
    iso = tmp_path / "options.iso"
    subprocess.run(["tools/mkiso.sh", q.ELF, str(iso), "0", "mode=test", "exit", *words,
                    "demo=heap"], cwd=q.ROOT, check=True)
    b = q.boot(iso=str(iso))
    b.assert_success()
    assert [e["value"] for e in b.all("env")] == words
    assert [d["name"] for d in b.all("demo")] == ["heap"]


def test_iso_menu_has_the_tour_and_a_demo_entry_per_demo_and_boots_one(tmp_path):
    """tools/mkiso.sh adds "tour" and one "demo: NAME" entry for each demo of
    the registry (kernel/guide/registry.c), in its order; one picked by its
    title as the default (demo-entry.iso, with exit added) runs that demo."""
    iso = q.TEST_ISO["demo-entry"]
    cfg = tmp_path / "grub.cfg"
    subprocess.run(["xorriso", "-osirrox", "on", "-indev", iso, "-extract",
                    "/boot/grub/grub.cfg", str(cfg)], check=True, capture_output=True)
    text = cfg.read_text()
    with open(os.path.join(q.ROOT, "kernel", "guide", "registry.c")) as f:
        registry = re.findall(r'^\s*\{ "([a-z0-9-]+)",', f.read(), re.M)
    titles = re.findall(r'^menuentry "([^"]*)"', text, re.M)
    assert titles[:2] == ["mematlas (Multiboot 2)", "mematlas (Multiboot 1)"]
    assert [t[len("demo: "):] for t in titles if t.startswith("demo: ")] == registry
    assert len(registry) >= 15 and "tour" in titles
    # The tour's entry loads the Go programs that decide its sections, in
    # examples/go/tour-programs' order, with their kernel-args.
    tour = re.search(r'menuentry "tour" \{\n(.*?)\n\}', text, re.S).group(1).splitlines()
    with open(os.path.join(q.ROOT, "examples", "go", "tour-programs")) as f:
        programs = [w.strip() for w in f if w.strip() and not w.startswith("#")]
    kernel = next(line.split() for line in tour if "multiboot2" in line)
    assert kernel[1:3] == ["/boot/mematlas.elf", "tour"] and kernel[-1] == "'exit'", kernel
    assert "'GODEBUG=gctrace=1'" in kernel
    modules = [line.split() for line in tour if line.strip().startswith("module2")]
    assert modules == [["module2", f"/boot/go/{n}", n] for n in programs]
    assert 'set default="demo: rodata-write"' in text
    assert "set timeout=0" in text and "keystatus --shift" in text
    b = q.boot(iso=iso)
    assert b.one("boot")["cmdline"] == "demo=rodata-write exit"
    assert b.all("demo") == [{"name": "rodata-write", "result": "faulted", "vector": "14"}]


def test_iso_carries_every_module_grub_looks_for():
    """make run's view: GRUB's output on the serial console has no error."""
    # -nographic, as `make run HEADLESS=1`: the firmware then copies the
    # screen to the serial port, GRUB's errors from before grub.cfg included.
    cmd = ["qemu-system-i386", "-accel", "tcg", "-no-reboot", "-m", "128M",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-cdrom", q.ISO,
           "-nographic"]
    b = q.boot(command=cmd, stop_when=r"^@region ", timeout=60)
    assert b.stopped_early, b.tail()
    assert "error:" not in b.output, [l for l in b.lines if "error:" in l]


def iso_file_sizes(folder):
    listing = subprocess.run(["xorriso", "-indev", q.ISO, "-lsl", folder],
                             check=True, capture_output=True, text=True).stdout
    return [int(m) for m in re.findall(r"^-\S+\s+\d+\s+\S+\s+\S+\s+(\d+) ", listing, re.M)]


def test_iso_is_at_most_one_mib_besides_the_programs():
    """GRUB brings only the modules the menu needs: without the user programs
    in /boot/user and the Go examples in /boot/go the ISO stays within 1 MiB.
    Those go in compressed (a static i386 C program is about 650 KiB, a
    third of that compressed; the smallest Go program that uses fmt is
    1.2 MiB stripped, 415 KiB compressed)."""
    size = os.path.getsize(q.ISO)
    user, go = iso_file_sizes("/boot/user"), iso_file_sizes("/boot/go")
    assert user and go, f"no user programs or no Go examples in {q.ISO}"
    programs = sum(user) + sum(go)
    assert size - programs <= MiB, f"{q.ISO} is {size} bytes, {programs} of them programs"
    assert max(user) <= 400 * 1024, f"a user program of {max(user)} bytes: not compressed?"
    assert max(go) <= 480 * 1024, f"a Go example of {max(go)} bytes: not compressed?"


def test_exit_without_the_exit_device_says_so_and_halts():
    cmd = [c for c in q.qemu_command(kernel=q.ELF, append="exit")
           if not c.startswith("isa-debug-exit")]
    cmd.remove("-device")
    b = q.boot(command=cmd, stop_when=r"the CPU is halted instead", timeout=60)
    assert b.stopped_early, "no word that the exit device is missing:\n" + b.tail()
    assert "no isa-debug-exit device answered" in b.output


def test_default_iso_boots_to_the_atlas_and_the_prompt():
    """What `make run` boots: no options, so the kernel shows the atlas, then
    the console's prompt under it; `halt` typed there ends QEMU."""
    s = q.Session(iso=q.ISO, timeout=90)
    screen = s.screen(last_row="mematlas> ")
    assert screen[24].startswith("mematlas> "), screen[24]
    assert any(r.startswith("VIRTUAL") for r in screen), "\n".join(screen)
    s.send(b"halt\r")
    b = s.finish()
    b.assert_success()
    assert b.one("boot")["protocol"] == "multiboot2"
    assert b.all("region") and not b.all("summary")


# ---- the screen ----------------------------------------------------------------

VGA_ROW = re.compile(r"^([0-9a-f]{8,9}) (\s*)(\([^)]*\)|\S+)\s+(\S+ \S+)$")


def screen_rows(rows):
    """(space, start, name, size) for each region shown on the VGA page."""
    cells = [r[c:c + 39] for c in (0, 40) for r in rows[1:24]]
    space, shown, more = None, [], 0
    for cell in cells:
        text = cell.rstrip()
        if text.startswith("VIRTUAL"):
            space = "virtual"
        elif text.startswith("PHYSICAL"):
            space = "physical"
        elif text.startswith("+"):
            more = int(text[1:].split()[0])
        elif text:
            m = VGA_ROW.match(text)
            assert m, f"unreadable screen row {text!r}"
            if not m.group(3).startswith("("):
                shown.append((space, int(m.group(1), 16), m.group(3), m.group(4)))
    return shown, more


@pytest.mark.parametrize("mem", ["128M", "4G"])
def test_vga_screen_shows_the_same_atlas_as_serial(mem):
    b, vga = q.boot_and_read_vga(mem=mem)
    b.assert_success()
    rows = q.vga_text(vga)
    assert "multiboot1" in rows[0] and "qemu" in rows[0]
    summary = b.one("summary")
    assert f"self-test: {summary['passed']} passed, {summary['failed']} failed" in rows[24]
    shown, more = screen_rows(rows)
    for view in ("virtual", "physical"):    # highest first, a region under its parts
        starts = [start for space, start, _, _ in shown if space == view]
        assert starts and starts == sorted(starts, reverse=True), (view, starts)
    serial = {(r["space"], num(r["start"]), r["name"]): int(r["size"])
              for r in b.all("region")}
    seen = set()
    for space, start, name, size in shown:
        key = (space, start, name)
        assert key in serial, f"the screen shows {key}, serial does not"
        assert size == q.human_size(serial[key]), (key, size)
        seen.add(key)
    # The kernel's sections appear once on screen, in the virtual view: in the
    # physical view only kernel.image stands for them.
    image = [r for r in b.regions("physical") if r["name"] == "kernel.image"][0]
    i0, i1 = span(image)
    inside_image = {(r["space"], num(r["start"]), r["name"]) for r in b.regions("physical")
                    if r["name"] != "kernel.image" and i0 <= num(r["start"]) and
                    num(r["end"]) <= i1}
    expected = set(serial) - inside_image
    if more == 0:
        assert seen == expected, f"missing on screen: {expected - seen}"
    else:
        assert len(serial) - len(seen) <= more


# ---- a boot loader that lies ------------------------------------------------------

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_wrong_magic_stops_with_a_clear_message():
    """Start QEMU frozen, let GDB stop at the entry point and put a wrong
    magic number in EAX: the kernel must say so and halt, not run on."""
    syms = q.elf_symbols()
    entry_phys = syms["_start"] - KERNEL_VIRT_BASE
    port = free_port()
    cmd = q.qemu_command(kernel=q.ELF, append="mode=test exit",
                         extra=["-gdb", f"tcp:127.0.0.1:{port}", "-S"])
    qemu = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        time.sleep(0.5)
        gdb = subprocess.run(
            ["gdb", "-batch", "-nx", "-ex", "set architecture i386",
             "-ex", f"target remote 127.0.0.1:{port}",
             "-ex", f"hbreak *{entry_phys:#x}", "-ex", "continue",
             "-ex", "set $eax = 0x12345678", "-ex", "delete", "-ex", "detach"],
            capture_output=True, text=True, timeout=60)
        assert "Breakpoint 1" in gdb.stdout, gdb.stdout + gdb.stderr
        deadline = time.monotonic() + 30
        out = b""
        while b"@panic" not in out and time.monotonic() < deadline:
            import select
            r, _, _ = select.select([qemu.stdout], [], [], 0.5)
            if r:
                chunk = os.read(qemu.stdout.fileno(), 65536)
                if not chunk:
                    break
                out += chunk
        time.sleep(0.3)
        assert qemu.poll() is None, "QEMU exited: the kernel should halt on a wrong magic"
    finally:
        qemu.kill()
        qemu.wait()
    text = out.decode("latin-1")
    assert "@panic reason=" in text, text
    assert "0x12345678" in text and "neither Multiboot 1" in text, text
    assert "@region" not in text, "the kernel went on after a wrong magic"
    protocol.check_output(text.replace("\r\n", "\n"))   # the early @panic keeps the contract


# ---- running out of memory ------------------------------------------------------

def assert_out_of_memory_panic(b):
    assert b.exit_code == q.EXIT_FAILURE and not b.timed_out, b.describe_failure()
    reason = b.one("panic")["reason"]
    assert reason.startswith("out of memory: no frame for the kernel heap"), reason
    assert not b.all("fault"), "a fault instead of a clear panic"


def test_too_little_ram_for_the_heap_is_a_clear_panic():
    """RAM that ends 8 KiB past the kernel image: room for the loader's
    data, no frame for the heap. Measured from the image, so that the
    kernel may grow (a fixed size once it outgrows leaves QEMU's loader
    nowhere to put the command line)."""
    end = q.elf_symbols()["_kernel_end"] - KERNEL_VIRT_BASE
    kib = (end + 8 * 1024 + 4095) // 4096 * 4
    assert_out_of_memory_panic(q.boot(mem=f"{kib}K"))


def test_self_tests_short_of_memory_say_so_and_nothing_faults():
    """At 2 MiB the self-tests that need more memory fail, each saying that
    memory ran out; nothing faults and nothing is read through NULL."""
    b = q.boot(mem="2M")
    assert b.exit_code == q.EXIT_FAILURE and not b.timed_out, b.describe_failure()
    assert not b.all("fault") and not b.all("panic"), b.tail()
    failed = [t["name"] for t in b.all("test") if t["result"] == "fail"]
    assert int(b.one("summary")["failed"]) == len(failed) > 0
    for name in failed:
        line = next(l for l in b.lines if l.startswith(f"test {name} FAILED:"))
        assert "out of memory" in line or "less than 2 MiB of RAM" in line, line


def test_a_module_that_fills_ram_is_a_clear_panic(tmp_path):
    big = tmp_path / "big.bin"
    with open(big, "wb") as f:
        f.truncate(64 * 1024 * 1024)
    assert_out_of_memory_panic(q.boot(mem="64M", extra=["-initrd", str(big)]))


# ---- modules -----------------------------------------------------------------------

def test_modules_past_the_limit_are_each_named(tmp_path):
    """20 modules, 16 kept: the warnings name modules 16 to 19."""
    mod = tmp_path / "m"
    mod.write_bytes(b"x" * 100)
    b = q.boot(extra=["-initrd", ",".join([str(mod)] * 20)])
    b.assert_success()
    dropped = sorted(int(re.search(r"module (\d+) dropped", w["msg"]).group(1))
                     for w in b.all("warn") if "dropped: more than" in w["msg"])
    assert dropped == [16, 17, 18, 19], [w["msg"] for w in b.all("warn")]


def test_modules_are_regions_of_their_own():
    """QEMU's -initrd hands Multiboot modules over; each becomes module.N,
    page aligned (the header asks for it), as long as its file, and clear of
    the kernel and of the loader's other data."""
    import pathlib
    import tempfile
    tmp_path = pathlib.Path(tempfile.mkdtemp(prefix="mm-"))   # short: strings are cut at 127
    first = tmp_path / "first.bin"
    first.write_bytes(os.urandom(10000))
    second = tmp_path / "second.txt"
    second.write_bytes(b"hello\n")
    b = q.boot(append="mode=test exit",
               extra=["-initrd", f"{first} one two,{second}"])
    b.assert_success()
    m0, m1 = b.region("physical", "module.0"), b.region("physical", "module.1")
    assert int(m0["size"]) == 10000 and int(m1["size"]) == 6
    assert num(m0["start"]) % PAGE == 0 and num(m1["start"]) % PAGE == 0
    k0, k1 = span(b.region("physical", "kernel.image"))
    others = [span(r) for r in b.regions("physical")
              if r["name"] in ("cmdline", "boot.loader.name", "multiboot.info",
                               "multiboot.mmap", "multiboot.mods")]
    for m in (m0, m1):
        s, e = span(m)
        assert e <= k0 or s >= k1
        assert all(e <= o0 or s >= o1 for o0, o1 in others)
    assert "one two" in b.output   # the module's own command line is described


def test_every_kernel_region_says_what_it_is():
    """@region's about: the line the atlas's boxes give each region, for
    the pictures (tools/atlas-html.py) to show."""
    b = booted("kernel-128M")
    regions = b.regions("virtual") + b.regions("physical")
    assert regions and all(r.get("about") for r in regions), \
        [r["name"] for r in regions if not r.get("about")]
    assert b.region("virtual", "kernel.text")["about"] == "code: machine instructions"
