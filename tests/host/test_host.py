"""Host unit tests: runs the C tests in build/host/test_* one by one.

Each binary lists its tests with --list when this module is collected, and
every C test becomes one pytest test ("test_format::human_sizes") that runs
`test_format --run human_sizes` and must exit 0. The build directory is
$MEMATLAS_BUILD (default "build", relative to the repository root).

With no binaries at all the module fails instead of passing quietly, so a
broken build never looks green: run `make test-host` to build them.
"""
import concurrent.futures
import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("MEMATLAS_BUILD", "build"))
if not BUILD.is_absolute():
    BUILD = REPO / BUILD
HOST_DIR = BUILD / "host"

TIMEOUT = 60    # seconds for one C test, sanitizers included

# Sanitizer reports on stderr, stack traces included, and a failing exit.
ENV = dict(os.environ)
ENV.setdefault("ASAN_OPTIONS", "abort_on_error=0:detect_leaks=1")
ENV.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")


def _binaries():
    if not HOST_DIR.is_dir():
        return []
    return sorted(p for p in HOST_DIR.glob("test_*")
                  if p.is_file() and "." not in p.name and os.access(p, os.X_OK))


def _run(args):
    return subprocess.run(args, cwd=REPO, env=ENV, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, errors="replace",
                          timeout=TIMEOUT)


def _cases():
    """(binary, test name or None, problem) for every C test there is."""
    binaries = _binaries()
    if not binaries:
        return [pytest.param(None, None,
                             f"no host test binaries in {HOST_DIR}: "
                             "run `make test-host` to build and run them",
                             id="no-host-tests")]
    cases = []
    for binary in binaries:
        try:
            listing = _run([str(binary), "--list"])
        except (OSError, subprocess.TimeoutExpired) as e:
            cases.append(pytest.param(binary, None, f"{binary} --list: {e}",
                                      id=f"{binary.name}::--list"))
            continue
        names = listing.stdout.split()
        if listing.returncode != 0 or not names:
            cases.append(pytest.param(
                binary, None,
                f"{binary} --list exited {listing.returncode} listing "
                f"{len(names)} tests:\n{listing.stdout}",
                id=f"{binary.name}::--list"))
            continue
        cases += [pytest.param(binary, name, None, id=f"{binary.name}::{name}")
                  for name in names]
    return cases


CASES = _cases()
_runs = {}


def _result(binary, name):
    """The run of one C test. Every test runs in a process of its own, as
    many at once as there are cores: started together the first time one
    is asked for, so the suite takes the time of its slowest share."""
    if not _runs:
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2)
        for case in CASES:
            b, n, problem = case.values
            if not problem:
                _runs[(b, n)] = pool.submit(_run, [str(b), "--run", n])
        pool.shutdown(wait=False)
    return _runs[(binary, name)].result()


@pytest.mark.parametrize("binary,name,problem", CASES)
def test_host(binary, name, problem):
    if problem:
        pytest.fail(problem, pytrace=False)
    try:
        result = _result(binary, name)
    except subprocess.TimeoutExpired as e:
        out = e.stdout or ""
        if isinstance(out, bytes):
            out = out.decode(errors="replace")
        pytest.fail(f"{binary.name} --run {name} took over {TIMEOUT} s:\n{out}",
                    pytrace=False)
    if result.returncode != 0 or f"ok {name}" not in result.stdout.splitlines():
        pytest.fail(f"{binary.name} --run {name} exited {result.returncode}:\n"
                    f"{result.stdout}", pytrace=False)
