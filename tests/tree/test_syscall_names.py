"""tools/gensyscalls.py and what it generated: the committed system-call
table must be what the i386 header on this machine gives (the build never
reads the header, so only this test notices when the two part), and the
script must refuse a header it does not understand."""
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "gensyscalls.py"
HEADER = pathlib.Path("/usr/i686-linux-gnu/include/asm/unistd_32.h")
OUTPUTS = ["include/sched/syscalls.h", "kernel/sched/syscall_names.c"]


def run(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True,
                          text=True)


def test_committed_table_matches_the_header(tmp_path):
    if not HEADER.is_file():
        pytest.skip(f"{HEADER} is missing (Debian package linux-libc-dev-i386-cross, "
                    "which libc6-dev-i386-cross pulls in): cannot regenerate the table")
    r = run("--header", str(HEADER), "--root", str(tmp_path))
    assert r.returncode == 0, r.stderr
    for rel in OUTPUTS:
        fresh, committed = (tmp_path / rel).read_text(), (ROOT / rel).read_text()
        assert fresh == committed, (f"{rel} differs from what {HEADER} gives: "
                                    "run tools/gensyscalls.py and commit the result")


def test_a_small_header_gives_holes_and_the_count(tmp_path):
    header = tmp_path / "unistd_32.h"
    header.write_text("#ifndef _ASM_UNISTD_32_H\n#define _ASM_UNISTD_32_H\n\n"
                      "#define __NR_zero 0\n#define __NR_two 2\n#define __NR_five 5\n\n"
                      "#endif /* _ASM_UNISTD_32_H */\n")
    r = run("--header", str(header), "--root", str(tmp_path))
    assert r.returncode == 0, r.stderr
    h = (tmp_path / OUTPUTS[0]).read_text()
    c = (tmp_path / OUTPUTS[1]).read_text()
    assert "#define LINUX_SYSCALL_COUNT 6 " in h and "#define LINUX_SYSCALL_NAMED 3 " in h
    assert "#define NR_two 2\n" in h and "#define NR_five 5\n" in h
    assert '[NR_five] = "five",' in c and "one" not in c


@pytest.mark.parametrize("body,complaint", [
    ("#define __NR_a 1\n#define __NR_a 2\n", "defined twice"),
    ("#define __NR_a 1\n#define __NR_b 1\n", "both a and b"),
    ("#define __NR_a 1\n#define __NR_b (__NR_a + 1)\n", "not a system-call number"),
    ("#define __NR_a 1\n#include <other.h>\n", "not a system-call number"),
    ("#define __NR_huge 99999\n", "over 4095"),
    ("\n", "no system calls"),
])
def test_a_header_it_does_not_understand_is_refused(tmp_path, body, complaint):
    header = tmp_path / "unistd_32.h"
    header.write_text(body)
    r = run("--header", str(header), "--root", str(tmp_path))
    assert r.returncode != 0 and complaint in r.stderr, r.stderr
    assert not (tmp_path / OUTPUTS[0]).exists()


def test_a_missing_header_is_named():
    r = run("--header", "/nonexistent/unistd_32.h", "--root", "/nonexistent")
    assert r.returncode == 1 and "linux-libc-dev-i386-cross" in r.stderr
