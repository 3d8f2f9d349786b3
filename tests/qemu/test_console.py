"""The console at the end of a boot without `exit` (kernel/guide/shell.c):
one boot, driven through the serial port and, for `help`, the keyboard
(QMP send-key), runs every command and bad input; the prompt always comes
back, the records of each line end with its @command, the screen shows
what was typed, and `halt` ends QEMU with 33. Addresses are checked
against nm and the boot's own @region lines, never written here."""
import os
import re

import pytest

import qemu_boot as q

HELLO = os.path.join(q.BUILD, "user", "hello")
COMMANDS = ["help", "atlas", "demos", "demo", "tour", "where", "x", "pt", "frames", "heap", "gc",
            "tasks", "programs", "run", "halt", "reboot"]
SYMS = q.elf_symbols()


def only(records, kind):
    return [r for k, r in records if k == kind]


def ended(records, result="ok"):
    """The line's @command: the last record, and with this result."""
    assert records and records[-1][0] == "command", records
    cmd = records[-1][1]
    assert cmd["result"] == result, cmd
    return cmd


@pytest.fixture(scope="module")
def session():
    s = q.Session(append="", extra=["-initrd", HELLO])
    lines = {}
    lines["help"] = s.command("help")
    lines["demos"] = s.command("demos")
    lines["demo heap"] = s.command("demo heap")
    lines["demo nosuch"] = s.command("demo nosuch")
    lines["where main"] = s.command(f"where {SYMS['kernel_main'] + 5:#x}")
    lines["x global"] = s.command(f"x {SYMS['globalCount']:#x} 16")
    lines["x null"] = s.command("x 0")
    guard = next(r for k, r in q.parse_records(s.boot_output)
                 if k == "region" and r["name"] == "boot.stack.guard")
    lines["x guard"] = s.command(f"x {guard['start']}")
    lines["x top"] = s.command("x 0xfffffff8 64")
    lines["x too much"] = s.command("x 0xc0100000 300")
    lines["where zz"] = s.command("where zz")
    lines["where symbol"] = s.command("where add+0x4")
    lines["x symbol"] = s.command("x kernel_main 4")
    lines["where big"] = s.command("where 0x100000000")
    lines["pt heap"] = s.command("pt 0xd0000000")
    lines["frames"] = s.command("frames")
    lines["history"] = s.command(b"\x1b[A")             # Up: the line before, again
    lines["heap"] = s.command("heap")
    lines["gc"] = s.command("gc")
    lines["tasks"] = s.command("tasks")
    lines["programs"] = s.command("programs")
    lines["run hello"] = s.command("run hello 0")
    lines["run hello 7"] = s.command("run hello 7")
    lines["run nosuch"] = s.command("run nosuch")
    lines["atlas"] = s.command("atlas")
    lines["unknown"] = s.command("frobnicate now")
    lines["long"] = s.command(b"x" * 8192)
    lines["binary"] = s.command(b"\x00\x01\x80\xff\x1b[Zhe\x7flp")
    s.send(b"abc\x03")                                  # Ctrl-C, no Enter
    text = s.until_prompt()
    lines["cancel"] = (q.parse_records(text), text)
    lines["empty"] = s.command("   ")
    s.sendkeys(["h", "e", "l", "p", "ret"])
    lines["keyboard"] = s.until_prompt()
    screen = s.screen(last_row="mematlas> ")
    s.send(b"halt\r")
    b = s.finish()
    return lines, screen, b


def test_halt_exits_33_and_every_line_got_its_prompt_back(session):
    lines, _, b = session
    b.assert_success()
    assert len(b.all("prompt")) == len(lines) + 1       # and the boot's first
    assert b.all("command")[-1] == {"line": "halt", "result": "ok"}
    assert not b.all("fault") and not b.all("panic")


def test_help_lists_every_command(session):
    recs, _ = session[0]["help"]
    ended(recs)
    assert [e["name"] for e in only(recs, "entry")] == COMMANDS
    assert all(e["list"] == "commands" and e["about"] for e in only(recs, "entry"))


def test_demos_and_demo(session):
    lines = session[0]
    recs, _ = lines["demos"]
    ended(recs)
    names = [e["name"] for e in only(recs, "entry")]
    assert {"layout", "gc", "heap", "null", "all"} <= set(names)
    recs, _ = lines["demo heap"]
    ended(recs)
    assert only(recs, "demo") == [{"name": "heap", "result": "finished"}]
    recs, _ = lines["demo nosuch"]
    assert "gc" in ended(recs, "error")["detail"]


def test_where_names_the_symbol_and_walks_the_tables(session):
    recs, text = session[0]["where main"]
    ended(recs)
    where, = only(recs, "where")
    assert where["symbol"] == "kernel_main" and where["offset"] == "0x5"
    assert where["region"] == "kernel.text"
    page, = only(recs, "page")
    addr = SYMS["kernel_main"] + 5
    assert int(page["phys"], 16) == addr - 0xC0000000     # the kernel's image, 3 GiB lower
    assert page["flags"] == "P"                            # code: read-only, kernel only
    assert "directory entry 768" in text


def test_x_reads_what_nm_says_is_there(session):
    lines = session[0]
    recs, text = lines["x global"]
    ended(recs)
    row, = only(recs, "bytes")
    assert int(row["addr"], 16) == SYMS["globalCount"]
    assert row["hex"][:8] == "64000000"                   # var globalCount int = 100
    recs, _ = lines["x top"]
    ended(recs)
    rows = only(recs, "bytes")                            # up to the top, never wrapping
    assert [r["addr"] for r in rows] == ["0xfffffff8"] and len(rows[0]["hex"]) == 16


def test_an_address_may_be_a_symbol_and_an_offset(session):
    lines = session[0]
    recs, _ = lines["where symbol"]
    ended(recs)
    where, = only(recs, "where")
    assert int(where["addr"], 16) == SYMS["add"] + 4
    assert where["symbol"] == "add" and where["offset"] == "0x4"
    recs, _ = lines["x symbol"]
    ended(recs)
    row, = only(recs, "bytes")
    assert int(row["addr"], 16) == SYMS["kernel_main"] and len(row["hex"]) == 8


def test_x_explains_addresses_it_cannot_read(session):
    lines = session[0]
    recs, _ = lines["x null"]
    assert "null page" in ended(recs, "error")["detail"] and not only(recs, "bytes")
    recs, _ = lines["x guard"]
    assert "guard page" in ended(recs, "error")["detail"]
    recs, _ = lines["x too much"]
    assert "256" in ended(recs, "error")["detail"]
    recs, _ = lines["where zz"]
    assert "neither a number nor a kernel symbol" in ended(recs, "error")["detail"]
    recs, _ = lines["where big"]
    assert "32 bits" in ended(recs, "error")["detail"]


def test_pt_frames_heap_gc_and_tasks(session):
    lines = session[0]
    recs, _ = lines["pt heap"]
    ended(recs)
    page, = only(recs, "page")
    assert page["flags"] == "P,W" and page["phys"] != "none"
    for name in ("frames", "history"):
        recs, text = lines[name]
        assert ended(recs)["line"] == "frames"
        f, = only(recs, "frames")
        total, free, run = int(f["total"]), int(f["free"]), int(f["largest_run"])
        assert int(f["used"]) == total - free and 0 < run <= free
    recs, _ = lines["heap"]
    ended(recs)
    heap, = only(recs, "heap")
    blocks = only(recs, "block")
    assert len([b for b in blocks if b["state"] != "cached"]) == int(heap["blocks"])
    assert sum(int(b["size"]) for b in blocks if b["state"] == "used") == int(heap["used"])
    addrs = [int(b["addr"], 16) for b in blocks]
    assert addrs == sorted(addrs)
    recs, _ = lines["gc"]
    ended(recs)
    assert len(only(recs, "gc")) == 1
    recs, text = lines["tasks"]
    ended(recs)
    assert re.search(r"task 0 +\S+ +running", text), text
    # Task 0, this console, on the boot stack: its region where nm puts the
    # stack, and its size and depth as a summary-form @stack.
    region, = [r for r in only(recs, "region") if r["name"] == "boot.stack"]
    lo, hi = int(region["start"], 16), int(region["end"], 16)
    assert (lo, hi) == (SYMS["_boot_stack_bottom"], SYMS["_boot_stack_top"])
    stack, = [r for r in only(recs, "stack") if r["task"] == "0"]
    assert int(stack["reserved"]) == int(stack["mapped"]) == hi - lo
    assert 0 < int(stack["high_water"]) < hi - lo and stack["state"] == "running"
    assert re.search(r"boot\.stack .* deepest %s bytes" % stack["high_water"], text), text


def test_programs_and_run(session):
    lines = session[0]
    recs, _ = lines["programs"]
    ended(recs)
    assert [(e["list"], e["name"]) for e in only(recs, "entry")] == [("programs", "hello")]
    recs, text = lines["run hello"]
    ended(recs)
    assert only(recs, "spawn")[0]["argv"] == "hello 0"
    assert only(recs, "exit")[0]["status"] == "0" and "hello from ring 3: hello" in text
    recs, _ = lines["run hello 7"]
    ended(recs, "error")
    assert only(recs, "exit")[0]["status"] == "7"
    recs, _ = lines["run nosuch"]
    ended(recs, "error")


def test_atlas_again(session):
    recs, _ = session[0]["atlas"]
    ended(recs)
    names = {r["name"] for r in only(recs, "region")}
    assert {"kernel.text", "heap", "boot.stack.guard", "vga.text"} <= names


def test_bad_lines_are_refused_and_the_prompt_returns(session):
    lines = session[0]
    recs, _ = lines["unknown"]
    assert "frobnicate" in ended(recs, "unknown")["detail"]
    recs, _ = lines["long"]
    cmd = ended(recs, "too-long")
    assert "8192 bytes" in cmd["detail"] and len(cmd["line"]) == 160
    # NUL, Ctrl-A (Home), two bytes >= 0x80, an unknown sequence, h e DEL l p
    recs, _ = lines["binary"]
    assert ended(recs, "unknown")["line"] == "hlp"
    recs, _ = lines["cancel"]
    ended(recs, "cancelled")
    recs, _ = lines["empty"]
    assert recs == []                                     # no @command, a new prompt


def test_help_typed_on_the_keyboard_shows_on_the_screen(session):
    lines, screen, _ = session
    recs = q.parse_records(lines["keyboard"])
    assert ended(recs)["line"] == "help"
    text = "\n".join(screen)
    assert "mematlas> help" in text, text
    assert re.search(r"run PROGRAM \[ARGS\] +run a program", text), text
    assert screen[24].startswith("mematlas> "), screen[24]    # the next prompt, at the bottom


def test_reboot_resets_the_machine():
    s = q.Session()
    s.send(b"reboot\r")
    b = s.finish()
    assert b.exit_code == 0 and not b.timed_out                # -no-reboot: QEMU exits 0
    assert b.all("command") == [{"line": "reboot", "result": "ok"}]
