"""The Linux i386 ABI that kernel/sched's headers spell out by hand, held
against Linux's own uapi headers for i386: tests/host/abi_*.c are nothing
but _Static_asserts, and compiling each with the i386 cross compiler (whose
C library package brings those headers) is the test."""
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SOURCES = sorted((REPO / "tests" / "host").glob("abi_*.c"))


def cross_compiler():
    for name in ("i686-linux-gnu-gcc", "i686-linux-gnu-gcc-12"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("no i686-linux-gnu-gcc: tools/deps.sh installs it (gcc-12-i686-linux-gnu)")


def test_there_are_abi_checks():
    assert SOURCES, "tests/host/abi_*.c are gone"


@pytest.mark.parametrize("source", SOURCES, ids=[s.name for s in SOURCES])
def test_abi_matches_linux_uapi_headers(source):
    r = subprocess.run([cross_compiler(), "-fsyntax-only", "-std=gnu11", "-Wall", "-Wextra",
                        "-Werror", "-I", str(REPO / "include"), str(source)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
