"""procimage_build against Linux itself: the initial stack this host's
kernel builds for a static i386 program, byte for byte.

build/host/linux_stack (tests/host/linux_stack.c) prints the stack Linux
handed it; build/host/procimage_dump (tests/host/procimage_dump.c) prints
the image procimage_build makes from the same arguments, environment and
file name, the auxv values only the kernel knows (hwcap, phdr, entry, the
random bytes...), at the same top. The run is under `setarch -R`
(ADDR_NO_RANDOMIZE): no random stack top, and arch_align_stack subtracts
nothing before it rounds down to 16, so the layout is the same every run.

What mematlas leaves out on purpose, and the test takes out of Linux's
image before comparing: AT_SYSINFO and AT_SYSINFO_EHDR (the vDSO: mematlas
has none) and AT_RSEQ_FEATURE_SIZE, AT_RSEQ_ALIGN (restartable sequences,
Linux 6.3 on: mematlas has no rseq). They are whole pairs, 16 bytes each
two, so the vectors below them move up by a multiple of 16 and every other
byte stays where Linux put it: the rest must match exactly, padding
included. The end marker is 8 bytes when a 64-bit kernel runs the program
(its sizeof(void *)) and 4 on an i386 kernel; the dump is told which.

Skipped, saying why, where this host cannot run i386 programs.
"""
import os
import platform
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("MEMATLAS_BUILD", "build"))
if not BUILD.is_absolute():
    BUILD = REPO / BUILD
LINUX_STACK = BUILD / "host" / "linux_stack"
DUMP = BUILD / "host" / "procimage_dump"

AT = {"NULL": 0, "PHDR": 3, "PHENT": 4, "PHNUM": 5, "PAGESZ": 6, "BASE": 7, "FLAGS": 8,
      "ENTRY": 9, "UID": 11, "EUID": 12, "GID": 13, "EGID": 14, "PLATFORM": 15,
      "HWCAP": 16, "CLKTCK": 17, "SECURE": 23, "RANDOM": 25, "HWCAP2": 26,
      "RSEQ_FEATURE_SIZE": 27, "RSEQ_ALIGN": 28, "EXECFN": 31, "SYSINFO": 32,
      "SYSINFO_EHDR": 33, "MINSIGSTKSZ": 51}
# In Linux's vector, not in mematlas's (see above).
LEFT_OUT = {AT["SYSINFO"], AT["SYSINFO_EHDR"], AT["RSEQ_FEATURE_SIZE"], AT["RSEQ_ALIGN"]}
# mematlas's vector, in create_elf_tables's order (ARCH_DLINFO's AT_MINSIGSTKSZ first).
OURS = ["MINSIGSTKSZ", "HWCAP", "PAGESZ", "CLKTCK", "PHDR", "PHENT", "PHNUM", "BASE",
        "FLAGS", "ENTRY", "UID", "EUID", "GID", "EGID", "SECURE", "RANDOM", "HWCAP2",
        "EXECFN", "PLATFORM", "NULL"]

# Argument lists whose lengths leave different amounts of padding.
CASES = {
    "small": (["one", "two words", ""], ["GOGC=100", "EMPTY=", "X=a b"]),
    "no-env": (["x"], []),
    "odd-lengths": (["a", "bb", "ccc", "dddd", "eeeee", "", "ffffff" * 7],
                    ["K=" + "v" * 13, "L=", "M=12345"]),
    "many": ([f"arg{i}" for i in range(120)], [f"VAR{i}=value{i}" for i in range(40)]),
}


class Image:
    """One printed stack: sp, top, the bytes of [sp, top), optional parts."""

    def __init__(self, text):
        self.parts, words = {}, []
        for line in text.splitlines():
            f = line.split()
            if f[0] == "sp":
                self.sp = int(f[1], 16)
            elif f[0] == "top":
                self.top = int(f[1], 16)
            elif f[0] == "part":
                self.parts[f[1]] = (int(f[2], 16), int(f[3], 16))
            elif f[0].startswith("+"):
                assert int(f[0][1:], 16) == 4 * len(words), line
                words.append(int(f[1], 16))
        self.data = struct.pack(f"<{len(words)}I", *words)
        assert self.sp + len(self.data) == self.top

    def word(self, addr):
        return struct.unpack_from("<I", self.data, addr - self.sp)[0]

    def string(self, addr):
        off = addr - self.sp
        return self.data[off:self.data.index(b"\0", off)]

    def vectors(self):
        """argc, the argv and envp pointers, the auxv pairs and where it starts."""
        argc = self.word(self.sp)
        argv = [self.word(self.sp + 4 + 4 * i) for i in range(argc)]
        assert self.word(self.sp + 4 + 4 * argc) == 0
        at, envp = self.sp + 8 + 4 * argc, []
        while self.word(at):
            envp.append(self.word(at))
            at += 4
        auxv_at, at, auxv = at + 4, at + 4, []
        while True:
            auxv.append((self.word(at), self.word(at + 4)))
            at += 8
            if auxv[-1][0] == AT["NULL"]:
                return argc, argv, envp, auxv, auxv_at


def can_run_i386():
    if not LINUX_STACK.exists():
        return True         # the test itself says it is missing
    try:
        run = subprocess.run([str(LINUX_STACK)], capture_output=True, timeout=30)
    except OSError as e:
        return f"this host cannot run i386 programs ({e})"
    if run.returncode != 0 or not run.stdout.startswith(b"sp "):
        return f"this host cannot run i386 programs (exit {run.returncode})"
    return True


def run_linux(args, env):
    """Linux's stack for LINUX_STACK run with exactly these args and env."""
    for tool in (LINUX_STACK, DUMP):
        assert tool.exists(), f"{tool} is missing: run `make test-host`"
    why = can_run_i386()
    if why is not True:
        pytest.skip(why)
    setarch = shutil.which("setarch")
    if not setarch:
        pytest.skip("no setarch here: nothing can turn address randomisation off")
    # setarch execs the program by this path: that is AT_EXECFN's string.
    cmd = [setarch, platform.machine(), "-R", str(LINUX_STACK), *args]
    run = subprocess.run(cmd, env=dict(e.split("=", 1) for e in env), capture_output=True,
                         timeout=30)
    assert run.returncode == 0, run.stdout + run.stderr
    return Image(run.stdout.decode())


def run_dump(real, args, env):
    """procimage_build's image for what Linux was given and reported."""
    argc, argv, envp, auxv, _ = real.vectors()
    aux = dict(auxv)
    missing = [n for n in ("MINSIGSTKSZ", "HWCAP2") if AT[n] not in aux]
    if missing:
        pytest.skip(f"this kernel gives no AT_{', AT_'.join(missing)}: older than the "
                    "Linux (5.14 on) procimage.c follows")
    execfn = real.string(aux[AT["EXECFN"]])
    marker = real.top - (aux[AT["EXECFN"]] + len(execfn) + 1)
    rnd = aux[AT["RANDOM"]] - real.sp
    values = {"top": real.top, "marker": marker, "hwcap": aux[AT["HWCAP"]],
              "hwcap2": aux[AT["HWCAP2"]], "minsigstksz": aux[AT["MINSIGSTKSZ"]],
              "phdr": aux[AT["PHDR"]], "phent": aux[AT["PHENT"]],
              "phnum": aux[AT["PHNUM"]], "entry": aux[AT["ENTRY"]],
              "uid": aux[AT["UID"]], "euid": aux[AT["EUID"]], "gid": aux[AT["GID"]],
              "egid": aux[AT["EGID"]], "secure": aux[AT["SECURE"]]}
    cmd = [str(DUMP)] + [f"{k}={v:#x}" for k, v in values.items()]
    cmd += [f"random={real.data[rnd:rnd + 16].hex()}",
            f"execfn={execfn.decode()}",
            f"platform={real.string(aux[AT['PLATFORM']]).decode()}"]
    argv0 = str(LINUX_STACK)
    cmd += [f"argc={len(args) + 1}", argv0, *args, f"envc={len(env)}", *env]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stdout + run.stderr
    return Image(run.stdout)


def without_left_out(real):
    """Linux's image with the LEFT_OUT auxv pairs taken out: (sp, bytes)."""
    _, _, _, auxv, auxv_at = real.vectors()
    kept = [p for p in auxv if p[0] not in LEFT_OUT]
    gone = 8 * (len(auxv) - len(kept))
    assert gone % 16 == 0, f"{gone} bytes of auxv left out: sp would round differently"
    start = auxv_at - real.sp
    end = start + 8 * len(auxv)
    data = real.data[:start] + b"".join(struct.pack("<II", *p) for p in kept) + \
        real.data[end:]
    return real.sp + gone, data


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


@pytest.mark.parametrize("case", CASES)
def test_image_matches_linux_byte_for_byte(case):
    args, env = CASES[case]
    real = run_linux(args, env)
    ours = run_dump(real, args, env)
    sp, want = without_left_out(real)
    assert ours.top == real.top
    if (ours.sp, ours.data) != (sp, want):
        i = first_difference(ours.data, want)
        addr = ours.sp + i
        part = [n for n, (lo, hi) in ours.parts.items() if lo <= addr < hi]
        pytest.fail(f"sp {ours.sp:#x}, Linux's without {sorted(LEFT_OUT)}: {sp:#x}; "
                    f"first difference at {addr:#x} ({part}): ours "
                    f"{ours.data[i:i + 16].hex()} Linux {want[i:i + 16].hex()}")


def test_linux_layout_is_what_procimage_h_says():
    """The facts procimage.h states, read straight off Linux's stack."""
    args, env = CASES["small"]
    real = run_linux(args, env)
    argc, argv, envp, auxv, auxv_at = real.vectors()
    aux = dict(auxv)
    assert real.sp % 16 == 0 and argc == len(args) + 1
    strings = [real.string(p).decode() for p in argv + envp]
    assert strings == [str(LINUX_STACK), *args, *env]
    # The strings from argv[0] up, packed, then the file name, then zeros to the top.
    assert argv + envp == sorted(argv + envp)
    execfn = aux[AT["EXECFN"]]
    at = argv[0]
    for s in strings:
        assert real.string(at).decode() == s
        at += len(s.encode()) + 1
    assert at == execfn and real.string(execfn) == str(LINUX_STACK).encode()
    marker = real.top - (execfn + len(real.string(execfn)) + 1)
    assert marker == (8 if platform.machine() == "x86_64" else 4)
    assert real.data[real.top - marker - real.sp:] == bytes(marker)
    # Below the strings: zeros to a multiple of 16, "i686", 16 random bytes.
    platform_at = aux[AT["PLATFORM"]]
    assert real.string(platform_at) == b"i686"
    assert platform_at + 5 == argv[0] & ~15
    assert aux[AT["RANDOM"]] == platform_at - 16
    auxv_end = auxv_at + 8 * len(auxv)
    assert 0 <= aux[AT["RANDOM"]] - auxv_end < 16
    assert aux[AT["PAGESZ"]] == 4096 and aux[AT["CLKTCK"]] == 100
    assert aux[AT["BASE"]] == 0 and aux[AT["FLAGS"]] == 0
    # Linux's order, with what mematlas leaves out taken away, is ours.
    assert [t for t, _ in auxv if t not in LEFT_OUT] == [AT[n] for n in OURS]
