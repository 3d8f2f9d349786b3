"""Programs read the boot modules as files (docs/processes.md, "Files").

One boot runs two test programs with a data module beside them:
tests/programs/file_basic reads the data through open/read/lseek/fstat,
stdio, mmap and the usual errors, and what it prints must be exactly what
the same binary prints on the host reading an equal file in a temporary
directory; tests/programs/file_modules checks what only mematlas answers
(read-only errors, the names of modules, directories, the console as a
terminal, bad pointers, EMFILE at 32, module frames shared by read-only
maps), and the facts it prints are held against the module list here.
"""
import math
import os
import posixpath
import re
import shutil
import subprocess

import pytest

import qemu_boot as q

PROGRAMS = os.path.join(q.BUILD, "tests", "programs")
DATA = os.path.join(q.ROOT, "tests", "data", "some.txt")
BOOT_TIMEOUT = 20


def rel(path):
    """The path as the boot gives it: relative, as a user would type it."""
    return os.path.relpath(path)


def program(name):
    path = os.path.join(PROGRAMS, name)
    if not os.path.exists(path):
        pytest.fail(f"{path} is missing: run `make test-programs`")
    return path


def module_words():
    """Each module's string as -initrd gives it, in order."""
    return [f"{rel(program('file_basic'))} some.txt",
            f"{rel(program('file_modules'))} some.txt {rel(DATA)}",
            f"{rel(DATA)} some.txt"]


@pytest.fixture(scope="module")
def boot():
    b = q.boot(append="exit", extra=["-initrd", ",".join(module_words())],
               timeout=BOOT_TIMEOUT)
    b.assert_success()
    return b


def output_of(b, pid):
    """What process pid wrote (qemu_boot.program_output)."""
    return q.program_output(b, pid)


def spawned(b, argv0):
    found = [r for r in b.all("spawn") if r["argv"].split(" ")[0] == rel(program(argv0))]
    assert len(found) == 1, b.tail()
    return int(found[0]["pid"])


def exit_of(b, pid):
    return next(r for r in b.all("exit") if r["pid"] == str(pid))


def fs_names(words):
    """The names docs/processes.md gives the modules, then /proc/self's."""
    names = []
    for w in words:
        full = posixpath.normpath("/" + w.split(" ")[0].lstrip("/"))
        base = posixpath.basename(full)
        names += [full, "/" + base, "/modules/" + base]
    return names + ["/proc/self/exe", "/proc/self/statm"]


def listing(names, directory):
    """What readdir gives for directory: '.', '..', then each name once, in
    the order the list first gives it, directories with '/', links '@'."""
    d = posixpath.normpath(directory)
    prefix = "/" if d == "/" else d + "/"
    out, seen = ["./", "../"], set()
    for n in names:
        if not n.startswith(prefix) or n == prefix:
            continue
        rest = n[len(prefix):]
        comp = rest.split("/")[0]
        if comp in seen:
            continue
        seen.add(comp)
        out.append(comp + ("/" if "/" in rest else "@" if n == "/proc/self/exe" else ""))
    return " ".join(out)


def test_file_basic_prints_what_it_prints_on_linux(boot, tmp_path):
    pid = spawned(boot, "file_basic")
    e = exit_of(boot, pid)
    kernel = output_of(boot, pid)
    assert e["status"] == "0" and e["leaked"] == "0", "\n".join(kernel[-20:])
    shutil.copy(DATA, tmp_path / "some.txt")
    try:
        native = subprocess.run([program("file_basic"), "some.txt"], cwd=tmp_path,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, timeout=30)
    except OSError as err:
        pytest.skip(f"this host cannot run i386 programs: {err}")
    assert native.returncode == 0, native.stdout + native.stderr
    assert kernel == native.stdout.splitlines()
    # The comparison is only worth something if the run went far and the
    # errors were met: spot-check a few lines.
    size = os.path.getsize(DATA)
    for want in (f"fstat: regular 1 size {size}", "open nothing: -1 ENOENT",
                 "read into read-only memory: -1 EFAULT", "shared writable map: -1 EACCES",
                 "open until it fails: -1 EMFILE after 29", "readlink /proc/self/exe: "
                 "absolute 1, ends with /file_basic", "failures: 0"):
        assert want in kernel


def facts(lines):
    out = {}
    for line in lines:
        m = re.match(r"fact (.+?): (.*)$", line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def test_file_modules_checks_pass(boot):
    pid = spawned(boot, "file_modules")
    lines = output_of(boot, pid)
    failed = [l for l in lines if l.startswith("FAIL")]
    assert not failed, "\n".join(failed)
    assert "failures: 0" in lines
    assert sum(l.startswith("ok ") for l in lines) >= 80      # it ran through
    e = exit_of(boot, pid)
    assert e["status"] == "0" and e["leaked"] == "0"


def test_modules_have_the_documented_names_and_numbers(boot):
    f = facts(output_of(boot, spawned(boot, "file_modules")))
    size = os.path.getsize(DATA)
    data_index, prog_index = 2, 1
    assert f["stat"] == (f"ino {data_index + 1} dev 0:1 mode 100444 nlink 1 size {size} "
                         f"blksize 4096 blocks {math.ceil(size / 4096) * 8} uid 0")
    assert f["exe"] == f"ino {prog_index + 1} mode 100555"
    assert f["readlink"] == fs_names(module_words())[prog_index * 3]
    assert f["opened"] == "29"          # 32 descriptors, 0-2 the console


def test_directories_list_the_names(boot):
    f = facts(output_of(boot, spawned(boot, "file_modules")))
    names = fs_names(module_words())
    for d in ("/", "/modules", "/proc/self", "/proc/self/..", "/modules/.."):
        assert f[f"ls {d}"] == listing(names, d), d
    assert "some.txt" in f["ls /modules"].split()


def test_read_only_maps_share_the_modules_frames(boot):
    f = facts(output_of(boot, spawned(boot, "file_modules")))
    m = re.match(r"pages (\d+) resident \+(\d+) shared \+(\d+) own \+(\d+)$", f["sharing"])
    assert m, f["sharing"]
    pages, resident, shared, own = map(int, m.groups())
    assert pages >= 16
    # Touching every page of a read-only map backs each with the module's own
    # frame: as many shared pages as pages, no frame of the process's own
    # (a page or two of stack may come and go around the count).
    assert resident >= pages and shared == pages and own <= 2
    m = re.match(r"pages 4 own \+(\d+)$", f["copies"])
    assert m and int(m.group(1)) >= 4, f["copies"]
