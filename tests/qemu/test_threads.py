"""Threads of user processes: static glibc programs (tests/programs/threads_*.c,
built into build/tests/programs/) run unmodified as boot modules, and on
this host as they are. Where their output is deterministic it must be the
same line for line in both places: lines starting with '~' (addresses,
times) are checked here instead. Times are only ever checked from below."""
import os
import re
import subprocess

import pytest

import qemu_boot as q

PROGRAMS = os.path.join(q.BUILD, "tests", "programs")
BOOT_TIMEOUT = 20           # each boot takes one or two seconds
MEMLAYOUT = os.path.join(q.ROOT, "include", "memlayout.h")


def layout_constant(name):
    with open(MEMLAYOUT) as f:
        m = re.search(r"#define\s+%s\s+(0x[0-9A-Fa-f]+)" % name, f.read())
    assert m, f"{name} is not in include/memlayout.h"
    return int(m.group(1), 16)


def program(name):
    path = os.path.join(PROGRAMS, name)
    assert os.path.exists(path), f"{path} is missing: make builds it"
    return path


def boot(name, *args):
    """Runs one program under mematlas; returns (Boot, its output lines)."""
    module = " ".join([program(name), *args])
    b = q.boot(kernel=q.ELF, append="exit", extra=["-initrd", module], timeout=BOOT_TIMEOUT)
    spawned = b.all("spawn")
    return b, q.program_output(b, spawned[0]["pid"]) if spawned else []


def native(name, *args):
    """Runs the same program on this host: (exit code, its output lines)."""
    r = subprocess.run([program(name), *args], capture_output=True, text=True,
                       timeout=BOOT_TIMEOUT)
    return r.returncode, r.stdout.splitlines()


def deterministic(lines):
    return [l for l in lines if not l.startswith("~")]


def ended_well(b):
    """Exit 33, status 0, every frame back, and no thread call unknown."""
    b.assert_success()
    e = b.one("exit")
    assert e.get("status") == "0" and "signal" not in e, e
    assert e["leaked"] == "0", e
    unknown = {r["name"] for r in b.all("syscall")}
    mine = {"clone", "clone3", "futex", "futex_time64", "nanosleep", "clock_nanosleep",
            "clock_nanosleep_time64", "clock_gettime", "clock_gettime64", "exit", "gettid"}
    assert not unknown & mine, f"reported as unknown: {unknown & mine}"
    return e


def same_as_native(name, lines, *args):
    code, expected = native(name, *args)
    assert code == 0, f"{name} failed natively:\n" + "\n".join(expected)
    assert deterministic(lines) == deterministic(expected)


def test_four_threads_have_four_stacks_in_the_mmap_area():
    b, lines = boot("threads_stacks")
    ended_well(b)
    same_as_native("threads_stacks", lines)
    seen = [tuple(int(v, 16) for v in m.groups()) for m in
            (re.match(r"~thread \d local=(0x\w+) global=(0x\w+) main_local=(0x\w+)", l)
             for l in lines) if m]
    assert len(seen) == 4, lines
    locals_ = [s[0] for s in seen]
    assert len(set(locals_)) == 4
    assert len({s[1] for s in seen}) == 1, "the threads saw different globals"
    mmap_top = layout_constant("USER_MMAP_TOP")
    stack_low = layout_constant("USER_STACK_TOP") - layout_constant("USER_STACK_MAX")
    main_local = seen[0][2]
    assert stack_low <= main_local < layout_constant("USER_STACK_TOP")
    for local in locals_:
        # Below the mmap ceiling, above the program and its heap (the global).
        assert seen[0][1] < local < mmap_top, hex(local)
    # glibc maps each stack (8 MiB, its RLIMIT_STACK) below the one before.
    spans = sorted(locals_)
    assert all(b_ - a >= 1 << 20 for a, b_ in zip(spans, spans[1:])), [hex(x) for x in spans]


def test_a_hundred_threads_created_and_joined_give_every_frame_back():
    b, lines = boot("threads_many")
    e = ended_well(b)
    same_as_native("threads_many", lines)
    assert lines[0] == "together: created=100 joined=100 started=100 sum=328450", lines
    assert int(e["syscalls"]) > 4 * 200     # clone, exit, futex... for each thread


def test_mutex_and_condvar_ping_pong_1000_times():
    b, lines = boot("threads_pingpong")
    ended_well(b)
    same_as_native("threads_pingpong", lines)
    assert lines == ["rounds=1000 turns=2000 alternating=yes"]


@pytest.fixture(scope="module")
def futexes():
    return boot("threads_futex")


def test_futex_operations_and_errors_as_on_linux(futexes):
    b, lines = futexes
    ended_well(b)
    same_as_native("threads_futex", lines)
    assert "wait, word differs: EAGAIN" in lines
    assert "cmp_requeue wake 1 move 1: 2" in lines
    assert "wake_op add 1, cmp eq 5: 2, other=6" in lines


def test_futex_timeouts_last_at_least_their_time(futexes):
    b, lines = futexes
    for what in ("wait 50 ms", "futex_time64 wait 50 ms"):
        assert f"{what}: ETIMEDOUT" in lines
        assert f"{what}: at least 50 ms passed: yes" in lines
    assert "wait_bitset until now+50 ms: the clock reached it: yes" in lines
    took = [int(m.group(1)) for m in (re.match(r"~wait 50 ms took (\d+) us", l) for l in lines)
            if m]
    assert took and took[0] >= 50000, lines
    assert "nanosleep 50 ms: at least 50 ms passed: yes" in lines
    assert "clock_nanosleep absolute: the clock reached it: yes" in lines


@pytest.mark.parametrize("how", ["exit", "fault"])
def test_a_thread_ends_the_process_while_others_are_blocked(how):
    """Two threads wait on futexes forever, one sleeps 100 s, one waits on a
    condition variable, one spins: the process must still end at once."""
    args = ["fault"] if how == "fault" else []
    b, lines = boot("threads_exitgroup", *args)
    assert not b.timed_out, b.describe_failure()
    e = b.one("exit")
    assert e["leaked"] == "0", e
    assert not any(l.startswith("FAILED") for l in lines), lines
    code, expected = native("threads_exitgroup", *args)
    assert deterministic(lines[:1]) == expected[:1]
    if how == "exit":
        ended_well(b)
        assert code == 0
    else:
        assert b.exit_code == q.EXIT_FAILURE, b.describe_failure()
        assert e["signal"] == "SIGSEGV" and e["fault"] == "page-fault at 0x00000000", e
        assert code == -11                      # SIGSEGV natively too


def test_each_thread_keeps_its_own_fpu_and_sse_state():
    b, lines = boot("threads_fpu")
    ended_well(b)
    same_as_native("threads_fpu", lines)
    assert "a new thread's rounding mode is its creator's (downward): yes" in lines
    for mode in ("nearest", "toward zero", "upward+ftz"):
        assert f"{mode}: rounds that differed from the first: 0" in lines


def test_clone_without_glibc_as_go_calls_it():
    """Raw clone: Go's flags (no tid pointers, no TLS), the tid words, a TLS
    segment of the child's own, Linux's EINVALs; no new processes yet."""
    b, lines = boot("threads_rawclone")
    ended_well(b)
    same_as_native("threads_rawclone", lines)
    assert sum(l.endswith(": yes") for l in lines) == 6, lines
    assert "~fork-like clone: ENOSYS" in lines
    assert "~vfork-like clone: ENOSYS" in lines
    assert "~clone3: ENOSYS" in lines
