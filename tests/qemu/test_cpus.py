"""Every CPU model QEMU offers for i386 either boots to the atlas or stops at
once with a plain message naming what it lacks (boot/cpucheck.S): never a
triple fault. Versioned aliases (NAME-v1 ...) are left out: they repeat a
model; so is what QEMU itself refuses to run without KVM ("host")."""
import re
import subprocess

import pytest

import qemu_boot as q

REFUSAL = r"mematlas needs a Pentium or later: this CPU has no [^.]*\."


def cpu_models():
    out = subprocess.run(["qemu-system-i386", "-cpu", "help"], capture_output=True,
                         text=True, check=True).stdout
    names = [m.group(1) for m in re.finditer(r"^x86\s+(\S+)", out, re.M)]
    return [n for n in names if not re.search(r"-v\d+$", n)]


@pytest.mark.parametrize("model", cpu_models())
def test_cpu_model_boots_or_is_refused_with_a_message(model):
    b = q.boot(append="exit", mem="32M", extra=["-cpu", model], stop_when=REFUSAL,
               timeout=60)
    if b.exit_code == 1 and "requires KVM" in b.output:
        pytest.skip(f"QEMU runs {model} only with KVM")
    if b.stopped_early:
        assert re.search(REFUSAL, b.output) and not b.all("region"), b.tail()
        return
    b.assert_success()
    assert b.all("region"), f"{model}: no atlas\n{b.tail()}"


def test_a_486_is_refused_and_a_pentium_runs_the_self_tests():
    b = q.boot(append="mode=test exit", extra=["-cpu", "486"], stop_when=REFUSAL, timeout=60)
    assert b.stopped_early, "a 486 was not refused:\n" + b.tail()
    b = q.boot(append="mode=test exit", extra=["-cpu", "pentium"])
    b.assert_success()
    assert b.one("summary")["failed"] == "0"
    # A Pentium has no RDRAND: random bytes come from the fallback.
    assert "random bytes from a ChaCha20 stream" in b.output, b.tail()


def test_random_bytes_come_from_rdrand_where_the_cpu_has_it():
    b = q.boot(append="mode=test exit", extra=["-cpu", "max"])
    b.assert_success()
    assert "random bytes from RDRAND" in b.output, b.tail()
    passed = {t["name"] for t in b.all("test") if t["result"] == "pass"}
    assert {"random.bytes", "clock.monotonic", "clock.realtime", "rtc.plausible"} <= passed
