"""`make run` as a teacher types it (issue 14): DEMO=, ARGS= and MEM= reach
the kernel, headless (the serial console in the terminal). The real make
target runs, its QEMU fed through stdin: the demo's pages are turned with
`q`, then `halt` at the prompt ends QEMU with 33, which make reports as the
command's error."""
import os

import qemu_boot as q

MiB = 1 << 20


def make_run(*variables):
    """The run of `make run HEADLESS=1 VARIABLES...` (a Boot; its exit code
    is make's), answering each page with q and the prompt with halt."""
    answered = []

    def on_line(line, proc):
        if line.startswith("@screen "):
            proc.stdin.write(b"q")
        elif line.startswith("@prompt"):
            proc.stdin.write(b"halt\r")
        else:
            return
        answered.append(line.split()[0])
        proc.stdin.flush()

    cmd = ["make", "-s", "--no-print-directory", "-C", q.ROOT, "run", "HEADLESS=1",
           "MEMATLAS_DEPS_OK=1", f"BUILD={os.path.relpath(q.BUILD, q.ROOT)}", *variables]
    b = q.boot(command=cmd, on_line=on_line, timeout=60)
    assert not b.timed_out, b.tail()
    # QEMU's 33 (isa-debug-exit: halt) is the recipe's error for make.
    assert "Error 33" in b.output, b.tail()
    assert answered and answered[-1] == "@prompt", answered
    return b


def ram(b):
    return sum(int(e["end"], 16) - int(e["start"], 16) for e in b.all("mmap")
               if e["type"] == "available")


def test_demo_and_mem_reach_the_kernel():
    b = make_run("DEMO=heap", "MEM=64M")
    assert [d["name"] for d in b.all("demo")] == ["heap"]
    assert 63 * MiB <= ram(b) <= 64 * MiB
    assert "demo=heap" in b.one("boot")["cmdline"]


def test_args_are_the_kernels_command_line():
    b = make_run('ARGS=demo=data GOGC=50 "two words"')
    assert [d["name"] for d in b.all("demo")] == ["data"]
    assert [e["value"] for e in b.all("env")] == ["GOGC=50"]
    assert "two words" in [a["value"] for a in b.all("arg")]
    assert 127 * MiB <= ram(b) <= 128 * MiB          # MEM's default


def test_args_tour_brings_the_go_programs_that_decide_it():
    with open(os.path.join(q.ROOT, "examples", "go", "tour-programs")) as f:
        programs = [w.strip() for w in f if w.strip() and not w.startswith("#")]
    b = make_run("ARGS=tour")
    assert [os.path.basename(s["argv"].split()[0]) for s in b.all("spawn")] == programs
    assert {c["name"] for c in b.all("claim") if "pid" in c} >= {"layout", "stack", "gc"}
    assert b.all("screen")[0]["name"] == "layout"      # the tour's first page, then q
