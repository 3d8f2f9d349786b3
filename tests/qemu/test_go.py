"""Go programs, built by Debian's Go for linux/386, run unmodified as
processes: goroutines (the runtime's threads: clone, futex, TLS), a stack
that grows, the garbage collector, and a timer (the runtime's netpoller:
epoll and a pipe). What they print equals what they print on Linux, but
for the lines that hold addresses or times (they start with "~")."""
import os
import subprocess

import pytest

import qemu_boot as q

GO = os.path.join(q.BUILD, "tests", "go")


def go_program(name):
    path = os.path.join(GO, name)
    assert os.path.exists(path), f"{path} is missing: make builds it (golang-go)"
    return path


def test_the_go_runtime_runs_and_prints_what_it_prints_on_linux():
    prog = go_program("runtime")
    b = q.boot(kernel=q.ELF, append="exit", mem="256M", timeout=60, extra=["-initrd", prog])
    b.assert_success()
    pid = b.one("spawn")["pid"]
    e = b.one("exit")
    assert e.get("status") == "0" and e["leaked"] == "0", e
    assert not b.all("syscall"), f"calls the Go runtime made that mematlas lacks: {b.all('syscall')}"
    out = q.program_output(b, pid)
    locals_ = [l.split() for l in out if l.startswith("~goroutine")]
    assert len(locals_) == 8 and len({l[5] for l in locals_}) == 1, "one global, 8 goroutines"
    assert len({l[3] for l in locals_}) == 8, "each goroutine's own variable"
    try:
        native = subprocess.run([prog], capture_output=True, text=True, timeout=60)
    except OSError:
        pytest.skip("this host cannot run i386 programs: nothing to compare with")
    keep = lambda lines: [l for l in lines if not l.startswith("~")]
    assert keep(out) == keep(native.stdout.splitlines())
