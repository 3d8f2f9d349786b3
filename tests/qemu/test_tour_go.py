"""The console's tour with the guide's Go programs loaded (issue 14): one
boot with the eight programs the tour uses as modules, as docs/tour.md's
boot has them, ending at the prompt. `tour` is walked to its end with `n`
from the serial port; each section's first page, read from the VGA text
buffer, must give the Go program's verdict right after the demo's own:
the pid and the word of that process's @claim, and its detail. A section
no Go program decides must say CANNOT TELL."""
import os
import re

import pytest

import qemu_boot as q
from test_go_examples import GO_CLAIMS

# The programs and their order: examples/go/tour-programs, as docs/tour.md's boot.
PROGRAMS = [line.strip() for line in open(os.path.join(q.ROOT, "examples", "go", "tour-programs"))
            if line.strip() and not line.startswith("#")]


def kernel_args(name):
    path = os.path.join(q.ROOT, "examples", "go", name, "kernel-args")
    return open(path).read().split() if os.path.exists(path) else []


GO_LINE = re.compile(r"^  Go => the guide's program \(pid (\d+)\) says the claim (\w+): ")


@pytest.fixture(scope="module")
def walked():
    paths = [os.path.join(q.BUILD, "examples", "go", n) for n in PROGRAMS]
    for p in paths:
        assert os.path.exists(p), f"{p} is missing: make examples builds it"
    args = sorted({w for n in PROGRAMS for w in kernel_args(n)})
    s = q.Session(append=" ".join(args), mem="256M", extra=["-initrd", ",".join(paths)],
                  timeout=120)
    s.send(b"tour\r")
    first_pages = {}
    while True:
        rec, _ = s.until_page()
        if rec is None:                 # the tour is over: the prompt is back
            break
        page = rec[1]
        if page["page"] == "1":
            first_pages[page["name"]] = s.screen()
        s.send(b"n")
    s.send(b"halt\r")
    return first_pages, s.finish()


def spawned(b):
    """{program name: pid} of the boot's processes."""
    return {os.path.basename(r["argv"].split()[0]): r["pid"] for r in b.all("spawn")}


def section_text(rows):
    """The page's rows from its title to "What the machine showed": the
    verdicts."""
    end = next(i for i, r in enumerate(rows) if r.startswith("What the machine showed"))
    return rows[:end]


def test_the_boot_ran_the_programs_and_came_back_to_the_prompt(walked):
    pages, b = walked
    b.assert_success()
    assert sorted(spawned(b)) == sorted(PROGRAMS)
    assert [(e.get("status"), e["leaked"]) for e in b.all("exit")] == [("0", "0")] * len(PROGRAMS)


def test_every_section_with_a_go_claim_shows_its_verdict_and_pid(walked):
    pages, b = walked
    pids = spawned(b)
    claims = {c["name"]: c for c in b.all("claim") if "pid" in c}
    assert sorted(claims) == sorted(GO_CLAIMS)
    for name, rows in pages.items():
        head = section_text(rows)
        go = [i for i, r in enumerate(head) if r.startswith("  Go => ")]
        assert len(go) == 1, head
        verdicts = [i for i, r in enumerate(head) if r.startswith("  => ")]
        assert verdicts and verdicts[-1] < go[0], head      # the demo's own verdict first
        if name not in claims:
            assert head[go[0]].startswith("  Go => CANNOT TELL"), head
            continue
        c = claims[name]
        m = GO_LINE.match(head[go[0]])
        assert m, head[go[0]]
        program, result = GO_CLAIMS[name]
        assert m.group(1) == c["pid"] == pids[program]
        assert m.group(2) == result.upper() == c["result"].upper()
        shown = " ".join(r.strip() for r in head[go[0]:])
        assert " ".join(c["detail"].split()) in shown, (c["detail"], shown)


def test_every_section_of_the_tour_was_shown(walked):
    pages, b = walked
    names = set(pages)
    assert set(GO_CLAIMS) <= names and "stack-vs-heap" in names
    assert len(b.all("prompt")) == 2        # after the boot, and after the tour
