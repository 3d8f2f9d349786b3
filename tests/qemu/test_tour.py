"""The guide, live: every section's demo, its addresses and its verdict;
the arguments and environment at the top of a process-like task."""
import re

import pytest

import qemu_boot as q

ORDER = ["layout", "stack", "heap", "data", "code", "stack-vs-heap", "escape", "gc",
         "goroutines"]
# C has no escape analysis: the machine honestly differs from the guide there.
EXPECTED = {name: "holds" for name in ORDER} | {"escape": "differs"}


def num(s):
    return int(s, 16)


def demo(append, mem="128M", timeout=180, extra=()):
    b = q.boot(kernel=q.ELF, mem=mem, append=f"mode=test exit {append}",
               extra=list(extra), timeout=timeout)
    b.assert_success()
    return b


@pytest.fixture(scope="module")
def tour():
    # Instructions, not time: the stack-vs-heap verdict cannot flip with load.
    return demo('demo=all one "two words" GOGC=100 EMPTY= X="a b"',
                extra=["-icount", "shift=0,sleep=off"])


def test_all_walks_the_guide_in_order(tour):
    claims = tour.all("claim")
    assert [c["name"] for c in claims] == ORDER
    for c in claims:
        assert c["result"] == EXPECTED[c["name"]], c
        assert c["detail"]
    assert tour.one("summary")["failed"] == "0"


def test_layout_matches_the_guides_picture(tour):
    parts = [(p["part"], num(p["addr"]), p["region"]) for p in tour.all("layout")]
    # Linux copies the environment strings above the arguments: the top of
    # the picture is drawn as memory has it.
    assert [p[0] for p in parts] == ["Environment Vars", "Command Line Args", "Stack",
                                     "Heap", "Global Variables", "Program Code"]
    addrs = [p[1] for p in parts]
    assert addrs == sorted(addrs, reverse=True), "not in the guide's top-down order"
    regions = [p[2] for p in parts]
    assert regions[0] == "env" and regions[1] == "args"
    assert regions[2].startswith("task.") and regions[3] == "heap"
    assert regions[4] == "kernel.data" and regions[5] == "kernel.text"
    claim = [c for c in tour.all("claim") if c["name"] == "layout"][0]
    assert "as Linux puts them" in claim["detail"]


# The image's parts, lowest first (procimage.h), and the auxv in Linux's order.
PARTS = ["argc", "argv", "envp", "auxv", "sp.pad", "random", "platform", "strings.pad",
         "args", "env", "execfn", "end.marker"]
AT = {"MINSIGSTKSZ": 51, "HWCAP": 16, "PAGESZ": 6, "CLKTCK": 17, "PHDR": 3, "PHENT": 4,
      "PHNUM": 5, "BASE": 7, "FLAGS": 8, "ENTRY": 9, "UID": 11, "EUID": 12, "GID": 13,
      "EGID": 14, "SECURE": 23, "RANDOM": 25, "HWCAP2": 26, "EXECFN": 31, "PLATFORM": 15,
      "NULL": 0}


def test_process_block_is_linuxs(tour):
    p = tour.one("process")
    sp, argv, envp, auxv = (num(p[k]) for k in ("sp", "argv", "envp", "auxv"))
    argc = int(p["argc"])
    # argc at the stack pointer, then argv[] with its NULL, envp[] with its NULL, auxv.
    args = [a for a in tour.all("arg") if "addr" in a]
    envs = [e for e in tour.all("env") if "addr" in e]
    assert argc == len(args) == 3 and sp % 16 == 0
    assert argv == sp + 4 and envp == argv + 4 * (argc + 1)
    assert auxv == envp + 4 * (len(envs) + 1)
    assert [a["value"] for a in args] == ["mematlas", "one", "two words"]
    assert [e["value"] for e in envs] == ["GOGC=100", "EMPTY=", "X=a b"]

    # The parts tile the image from sp to the top of the task's stack slot.
    reg = {r["name"]: (num(r["start"]), num(r["end"])) for r in tour.all("region")
           if r["name"] in PARTS}
    shown = [n for n in PARTS if n in reg]
    assert reg["argc"][0] == sp and reg["end.marker"][1] % 4096 == 0
    for lower, upper in zip(shown, shown[1:]):
        assert reg[lower][1] == reg[upper][0], (lower, upper)
    assert {"argc", "argv", "envp", "auxv", "random", "platform", "args", "env", "execfn",
            "end.marker"} <= set(shown)
    assert reg["end.marker"][1] - reg["end.marker"][0] == 4     # an i386 kernel's pointer
    assert reg["random"][1] - reg["random"][0] == 16
    assert reg["platform"][1] - reg["platform"][0] == len("i686") + 1
    assert reg["platform"][1] % 16 == 0                         # arch_align_stack
    assert reg["execfn"][1] - reg["execfn"][0] == len("mematlas") + 1

    # The strings: argv[0] lowest, each right after the one before, env above args.
    at = reg["args"][0]
    for s in args + envs:
        assert num(s["addr"]) == at and s["region"] == ("args" if s in args else "env")
        at += len(s["value"]) + 1
    assert at == reg["execfn"][0]

    aux = [(int(a["type"]), int(a["value"])) for a in tour.all("auxv")]
    assert [t for t, _ in aux] == list(AT.values())
    value = {t: v for t, v in aux}
    assert value[AT["PAGESZ"]] == 4096 and value[AT["CLKTCK"]] == 100
    assert value[AT["BASE"]] == value[AT["FLAGS"]] == value[AT["PHNUM"]] == 0
    assert value[AT["PHENT"]] == 32
    assert value[AT["HWCAP"]] & 0x18 == 0x18                   # TSC and PSE: cpucheck.S
    assert value[AT["RANDOM"]] == reg["random"][0]
    assert value[AT["PLATFORM"]] == reg["platform"][0]
    assert value[AT["EXECFN"]] == reg["execfn"][0]
    text = [r for r in tour.all("region") if r["name"] == "kernel.text"][0]
    assert num(text["start"]) <= value[AT["ENTRY"]] < num(text["end"])   # layout_main


def test_gc_reclaims_exactly_the_unreachable(tour):
    live = {int(o["id"]): o["live"] for o in tour.all("object")}
    assert live == {**{i: "1" for i in range(5)}, **{i: "0" for i in range(5, 10)},
                    100: "0", 101: "0", 102: "0"}
    cycles = tour.all("gc")
    assert cycles and all(int(c["cycle"]) >= 1 for c in cycles)
    assert [int(c["cycle"]) for c in cycles] == sorted(int(c["cycle"]) for c in cycles)
    explicit = cycles[-2]
    assert int(explicit["freed"]) >= 8 and int(explicit["live_bytes"]) >= 5 * 8


def test_stack_vs_heap_is_measured(tour):
    m = tour.one("measure")
    assert int(m["runs"]) == 20000
    assert 0 < int(m["stack_cycles"]) < int(m["heap_cycles"])
    assert int(m["gc_cycles"]) > 0


def test_data_and_code_regions(tour):
    sym = {s["name"]: s for s in tour.all("symbol")}
    assert sym["globalCount"]["region"] == "kernel.data"
    assert sym["zeroCount"]["region"] == "kernel.bss"
    assert sym["answer"]["region"] == "kernel.rodata"
    assert sym["createSlice"]["region"] == "kernel.text"
    assert sym["heapExample.x"]["region"] == "heap"
    assert sym["stackExample.x"]["addr"] == sym["anotherCall.y"]["addr"]
    syms = q.elf_symbols()
    assert num(sym["answer"]["addr"]) == syms["answer"]


def test_gogc_off_collects_only_when_asked():
    b = demo("demo=stack-vs-heap GOGC=off")
    assert b.all("gc") == [], "collected by itself with GOGC=off"


def test_gogc_default_collects_by_itself():
    b = demo("demo=stack-vs-heap")
    assert len(b.all("gc")) >= 5


def test_demo_from_the_environment():
    b = demo("DEMO=heap")
    assert [c["name"] for c in b.all("claim")] == ["heap"]


def demo_warnings(b):
    return [w["msg"] for w in b.all("warn") if w["source"] == "demo"]


def test_the_last_demo_word_runs_and_the_others_are_named():
    b = demo("demo=heap demo=nothing demo=data")
    assert [c["name"] for c in b.all("claim")] == ["data"]
    assert [d["name"] for d in b.all("demo")] == ["data"]
    warns = demo_warnings(b)
    assert len(warns) == 1, warns
    assert 'demo "data" runs' in warns[0]
    assert "demo=heap" in warns[0] and "demo=nothing" in warns[0]
    assert "demo=data" not in warns[0]
    assert 'demo "data" runs' in b.output     # for people (the @warn line escapes its quotes)


def test_demo_word_wins_over_the_environment():
    b = demo("DEMO=gc demo=heap DEMO=data")
    assert [c["name"] for c in b.all("claim")] == ["heap"]
    warns = demo_warnings(b)
    assert len(warns) == 1 and "DEMO=gc" in warns[0] and "DEMO=data" in warns[0], warns


def test_first_demo_of_the_environment_runs_without_a_demo_word():
    b = demo("DEMO=heap DEMO=data")
    assert [c["name"] for c in b.all("claim")] == ["heap"]
    warns = demo_warnings(b)
    assert len(warns) == 1 and "first DEMO=" in warns[0] and "DEMO=data" in warns[0], warns


def test_one_demo_warns_about_nothing():
    b = demo("demo=heap")
    assert demo_warnings(b) == []


def test_gogc_that_is_no_number_is_reported():
    b = q.boot(kernel=q.ELF, append="mode=test exit GOGC=abc")
    b.assert_success()
    assert 'GOGC="abc" is neither a percentage nor off' in b.output
    warns = [w["msg"] for w in b.all("warn") if w["source"] == "gogc"]
    assert len(warns) == 1 and 'GOGC="abc"' in warns[0], warns


# Just enough memory to boot: a demo that cannot allocate must say so and
# give no verdict, never a verdict built on a failed allocation. The first
# size that boots is used (how much the kernel itself takes moves).
TIGHT = ["1800K", "1900K", "2M"]
# stack-vs-heap times things and goroutines' stacks grow in the scheduler:
# their verdicts can differ on a short machine for other reasons.
ALLOCATION_VERDICTS = ["layout", "stack", "heap", "data", "code", "escape", "gc"]


def test_short_of_memory_a_demo_says_so_instead_of_a_verdict():
    for mem in TIGHT:
        b = q.boot(kernel=q.ELF, mem=mem, append="exit demo=all X=1", timeout=180)
        if b.exit_code == q.EXIT_SUCCESS:
            break
    else:
        pytest.fail(f"none of {TIGHT} booted:\n{b.tail()}")
    claims = {c["name"]: c["result"] for c in b.all("claim")}
    short = {w.split(" ran out of memory")[0] for w in demo_warnings(b)
             if " ran out of memory: " in w}
    for name in ALLOCATION_VERDICTS:
        assert (name in claims) != (name in short), (name, claims, short)
        if name in claims:
            assert claims[name] == EXPECTED[name], (name, claims[name])
    assert short, f"{mem} was not short of memory: the test shows nothing"
    assert [d["name"] for d in b.all("demo")][-1] == "all"


def test_empty_environment_cannot_tell_the_layout():
    """Nothing to place between the arguments and the stack: no verdict
    claims the guide's order holds for an environment that is not there."""
    b = demo("demo=layout")
    assert not b.all("env")
    assert "Environment Vars" not in [p["part"] for p in b.all("layout")]
    c = b.one("claim")
    assert c["result"] == "cannot-tell" and "environment is empty" in c["detail"], c


def test_stack_vs_heap_ratios_have_a_decimal_and_decide_the_verdict(tour):
    m = tour.one("measure")
    stack, heap, gc = (int(m[k]) for k in ("stack_cycles", "heap_cycles", "gc_cycles"))
    ratios = re.findall(r"\|\s+(\d+\.\d)x \|", tour.output)
    assert len(ratios) == 3 and ratios[0] == "1.0", ratios
    assert ratios[1] == f"{round(heap / stack, 1):.1f}" or \
        abs(float(ratios[1]) - heap / stack) <= 0.05, (ratios, heap, stack)
    holds = float(ratios[1]) > 1.0 and float(ratios[2]) > 1.0
    claim = [c for c in tour.all("claim") if c["name"] == "stack-vs-heap"][0]
    assert claim["result"] == ("holds" if holds else "differs"), (claim, ratios)


def test_hundred_variables_and_a_long_command_line():
    env = " ".join(f"VAR{i}=value{i}" for i in range(100))
    line = f"demo=layout {env} " + " ".join(f"arg{i}" for i in range(150))
    assert len(line) < 4095
    line += " " + "z" * (4000 - len(line))       # near the kernel's 4095-byte limit
    b = demo(line)
    envs = [e for e in b.all("env") if "addr" in e]
    assert len(envs) == 100 and all(e["region"] == "env" for e in envs)
    assert b.one("claim")["result"] == "holds"
    assert int(b.one("process")["argc"]) == 152


def test_tour_doc_matches_a_fresh_run():
    """docs/tour.md is generated from a real boot; its text and the shape of
    every output block must still be what a fresh boot prints."""
    import subprocess
    run = subprocess.run(["/usr/bin/python3", "tools/mktour.py", "--check"], cwd=q.ROOT,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr


def test_demo_text_reaches_the_screen_too():
    """A demo's explanations and verdict are on the VGA screen as on serial."""
    b, vga = q.boot_and_read_vga(append="mode=test exit pause demo=heap")
    b.assert_success()
    screen = "\n".join(q.vga_text(vga))
    assert "createSlice" in screen
    assert "the guide's claim HOLDS" in screen
