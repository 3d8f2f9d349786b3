"""The layering of the kernel, read from its #include lines (tools/check-layers.py)."""
import importlib.util
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("check_layers", ROOT / "tools" / "check-layers.py")
layers = importlib.util.module_from_spec(spec)
spec.loader.exec_module(layers)


def test_no_lower_layer_includes_a_higher_one():
    problems, count = layers.check(ROOT)
    assert count > 50, "the check read almost no files: is the tree where it expects?"
    assert not problems, "\n".join(problems)


def write(root, rel, text):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_the_check_catches_an_upward_include(tmp_path):
    write(tmp_path, "include/mm/heap.h", "")
    write(tmp_path, "include/atlas/atlas.h", "")
    write(tmp_path, "kernel/atlas/kregion.c", '#include "mm/heap.h"\n')      # down: fine
    write(tmp_path, "kernel/mm/kheap.c", '#include "atlas/atlas.h"\n')       # up: caught
    write(tmp_path, "kernel/mm/bump.c", '#include "heap.h"\n')               # no layer
    problems, _ = layers.check(tmp_path)
    assert len(problems) == 2, problems
    assert any("kheap.c" in p and "higher atlas layer" in p for p in problems), problems
    assert any("bump.c" in p and "in no layer" in p for p in problems), problems
