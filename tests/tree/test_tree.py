"""The rules of the source tree (tools/check-tree.py): the layering, read
from the #include lines, and the sizes of files and functions."""
import importlib.util
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("check_tree", ROOT / "tools" / "check-tree.py")
tree = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tree)


def write(root, rel, text):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_no_lower_layer_includes_a_higher_one():
    problems, count = tree.check_layers(ROOT)
    assert count > 50, "the check read almost no files: is the tree where it expects?"
    assert not problems, "\n".join(problems)


def test_the_layer_check_catches_an_upward_include(tmp_path):
    write(tmp_path, "include/mm/heap.h", "")
    write(tmp_path, "include/atlas/atlas.h", "")
    write(tmp_path, "kernel/atlas/kregion.c", '#include "mm/heap.h"\n')      # down: fine
    write(tmp_path, "kernel/mm/kheap.c", '#include "atlas/atlas.h"\n')       # up: caught
    write(tmp_path, "kernel/mm/bump.c", '#include "heap.h"\n')               # no layer
    problems, _ = tree.check_layers(tmp_path)
    assert len(problems) == 2, problems
    assert any("kheap.c" in p and "higher atlas layer" in p for p in problems), problems
    assert any("bump.c" in p and "in no layer" in p for p in problems), problems


def test_no_c_file_or_function_is_too_long():
    problems, count = tree.check_sizes(ROOT)
    assert count > 80, "the check read almost no files"
    assert not problems, "\n".join(problems)


def test_the_size_check_catches_a_long_file_and_a_long_function(tmp_path):
    body = "".join(f"    x += {i};\n" for i in range(tree.FUNCTION_MAX))
    write(tmp_path, "kernel/mm/long.c", "static int f(int x)\n{\n" + body + "    return x;\n}\n")
    write(tmp_path, "tools/big.c", "int y;\n" * (tree.FILE_MAX + 1))
    write(tmp_path, "kernel/mm/short.c", "int g(void)\n{\n    return 0;\n}\n")
    problems, _ = tree.check_sizes(tmp_path)
    assert len(problems) == 2, problems
    assert any("long.c:1: f is" in p for p in problems), problems
    assert any("big.c:" in p and "lines (at most" in p for p in problems), problems


def test_learners_never_meet_an_internal_path_or_name():
    """The guide is "the guide": no path outside the repository, and no
    internal name for it, in what the kernel prints or the docs say."""
    found = []
    for path in list((ROOT / "kernel").rglob("*.c")) + list((ROOT / "docs").glob("*.md*")) + \
            [ROOT / "README.md"]:
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if "shared/seed" in line or re.search(r"\bthe seed\b(?! corpus)", line, re.I):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:80]}")
    assert not found, "\n".join(found)
