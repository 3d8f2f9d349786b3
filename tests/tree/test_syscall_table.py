"""The system-call groups (kernel/sched/sys_*.c and the others that export a
`const struct sys_entry ...[]`) claim each call number once: syscall.c's
table keeps whichever group comes last, so a number two groups claim (two
branches both adding a call, say) would silently lose one of them."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
ENTRY = re.compile(r"\{\s*NR_(\w+)\s*,\s*(\w+)\s*\}")
GROUP = re.compile(r"const struct sys_entry (\w+)\[\]\s*=\s*\{(.*?)\n\};", re.S)


def claims(root):
    """[(call name, group, file)] for every table entry under kernel/sched."""
    found = []
    for path in sorted((root / "kernel" / "sched").glob("*.c")):
        for group in GROUP.finditer(path.read_text()):
            for entry in ENTRY.finditer(group.group(2)):
                found.append((entry.group(1), group.group(1), path.name))
    return found


def duplicates(found):
    seen, dups = {}, []
    for name, group, file in found:
        if name in seen:
            dups.append(f"NR_{name}: {seen[name]} and {group} ({file})")
        else:
            seen[name] = f"{group} ({file})"
    return dups


def test_each_call_number_has_one_handler():
    found = claims(ROOT)
    names = {n for n, _, _ in found}
    assert {"clone", "futex", "nanosleep", "exit_group", "mmap2"} <= names, sorted(names)
    assert not duplicates(found), "\n".join(duplicates(found))


def test_the_check_sees_a_number_claimed_twice(tmp_path):
    sched = tmp_path / "kernel" / "sched"
    sched.mkdir(parents=True)
    (sched / "sys_a.c").write_text("const struct sys_entry sys_a_calls[] = {\n"
                                   "    { NR_futex, sys_futex },\n    SYS_END,\n};\n")
    (sched / "sys_b.c").write_text("const struct sys_entry sys_b_calls[] = {\n"
                                   "    { NR_getpid, sys_getpid }, { NR_futex, other },\n"
                                   "    SYS_END,\n};\n")
    dups = duplicates(claims(tmp_path))
    assert dups == ["NR_futex: sys_a_calls (sys_a.c) and sys_b_calls (sys_b.c)"], dups
