"""A bounded run of the heap's libFuzzer target, build/host/fuzz_heap.

`make test` builds the target (tests/fuzz/fuzz_heap.c with kernel/mm/heap*.c,
clang -fsanitize=fuzzer,address,undefined); this module only runs it, for
FUZZ_SECONDS (default 20) from a fixed seed, and fails when it finds
anything: a crash, a sanitizer report, or one of the target's own checks
(heap_check after every operation, overlapping blocks, lost contents, wrong
reports). New inputs go to a temporary corpus; a corpus left by `make fuzz`
in build/fuzz-corpus is read as a starting point when there is one. Crash
inputs are kept in build/fuzz-artifacts for replaying:
`build/host/fuzz_heap build/fuzz-artifacts/crash-...`.

Without the binary the test fails rather than skips, so a broken build never
looks green: run `make test` (or `make build/host/fuzz_heap`).
"""
import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("MEMATLAS_BUILD", "build"))
if not BUILD.is_absolute():
    BUILD = REPO / BUILD
FUZZER = BUILD / "host" / "fuzz_heap"
SECONDS = int(os.environ.get("FUZZ_SECONDS", "20"))


def test_fuzz_heap(tmp_path):
    if not FUZZER.is_file():
        pytest.fail(f"{FUZZER} is missing: `make test` builds it", pytrace=False)
    artifacts = BUILD / "fuzz-artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    args = [str(FUZZER), f"-max_total_time={SECONDS}", "-seed=1",
            "-print_final_stats=1", f"-artifact_prefix={artifacts}/", str(corpus)]
    shared = BUILD / "fuzz-corpus"
    if shared.is_dir():
        args.append(str(shared))
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "abort_on_error=0:detect_leaks=1")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    try:
        run = subprocess.run(args, cwd=REPO, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, errors="replace",
                             timeout=SECONDS + 120)
    except subprocess.TimeoutExpired as e:
        out = e.stdout or ""
        if isinstance(out, bytes):
            out = out.decode(errors="replace")
        pytest.fail(f"fuzz_heap ran past {SECONDS + 120} s:\n{out[-4000:]}", pytrace=False)
    runs = [line for line in run.stdout.splitlines() if "stat::number_of_executed_units" in line]
    if run.returncode != 0:
        pytest.fail(f"fuzz_heap exited {run.returncode}:\n{run.stdout[-6000:]}", pytrace=False)
    assert runs, f"fuzz_heap printed no final stats:\n{run.stdout[-2000:]}"
    executed = int(runs[-1].split(":")[-1])
    assert executed > 100, f"fuzz_heap ran only {executed} inputs"
