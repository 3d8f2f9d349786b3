"""The serial protocol's contract, read from docs/serial-protocol.md.

The document is the single source of truth: its value-kind table gives the
pattern of each kind, and each record section's tables give the fields of
each form of a record, in order. check_record() holds one line against
them; check_order() holds a whole boot against the document's order rules
(numbered as in its "Order" section); check_output() does both for a
boot's serial output, which qemu_boot.boot() calls on every boot.
"""
import functools
import os
import re
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOC = os.path.join(ROOT, "docs", "serial-protocol.md")
DOC_NAME = "docs/serial-protocol.md"

MAX_BACKTRACE = 16      # frames after one @fault (order rule 4)


class Violation(AssertionError):
    """Serial output that breaks the documented protocol."""


# ---- the document ------------------------------------------------------------------

@dataclass(frozen=True)
class Field:
    key: str
    kinds: tuple        # names of value kinds
    literals: tuple     # literal values
    optional: bool


@dataclass(frozen=True)
class Form:
    name: str           # "" for a type with one form, else e.g. "growth"
    fields: tuple


@dataclass(frozen=True)
class Spec:
    kinds: dict         # kind name -> compiled pattern
    types: dict         # record type -> tuple of Form


def _cells(row):
    """The cells of a Markdown table row; '\\|' is a literal bar."""
    inner = row.strip()
    if not (inner.startswith("|") and inner.endswith("|")):
        raise ValueError(f"not a table row: {row!r}")
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", inner[1:-1])]


def _tables(lines):
    """[(header cells, [row cells])] of the tables in lines."""
    tables, i = [], 0
    while i < len(lines):
        if (lines[i].startswith("|") and i + 1 < len(lines)
                and re.fullmatch(r"\|( *:?-+:? *\|)+", lines[i + 1].strip())):
            header, rows, i = _cells(lines[i]), [], i + 2
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(_cells(lines[i]))
                i += 1
            tables.append((header, rows))
        else:
            i += 1
    return tables


def _sections(text, level):
    """{heading text: [lines]} for the headings of one level ('##')."""
    found, name = {}, None
    for line in text.splitlines():
        m = re.match(r"(#+) (.*)", line)
        if m and len(m.group(1)) <= len(level):
            name = m.group(2) if len(m.group(1)) == len(level) else None
            if name is not None:
                found[name] = []
        elif name is not None:
            found[name].append(line)
    return found


def _code(cell, what):
    m = re.fullmatch(r"`([^`]+)`", cell)
    if not m:
        raise ValueError(f"{DOC_NAME}: {what}: expected one `code` value, got {cell!r}")
    return m.group(1)


def _field(row, kinds, where):
    if len(row) != 4:
        raise ValueError(f"{DOC_NAME}: {where}: a field row has 4 cells: {row}")
    key, kind_cell, presence, _ = row
    key = _code(key, where)
    names, literals = [], []
    for alt in kind_cell.split(" or "):
        value = _code(alt.strip(), f"{where}, kind of {key}")
        (names if value in kinds else literals).append(value)
    if presence not in ("always", "optional"):
        raise ValueError(f"{DOC_NAME}: {where}: presence of {key} is {presence!r}, "
                         "not always or optional")
    return Field(key, tuple(names), tuple(literals), presence == "optional")


def parse_spec(text):
    """A Spec from the text of the protocol document."""
    top = _sections(text, "##")
    kinds = {}
    for header, rows in _tables(top["Value kinds"]):
        for row in rows:
            kinds[_code(row[0], "value kinds")] = re.compile(_code(row[1], "value kinds"))
    types = {}
    for heading, lines in _sections("\n".join(top["Records"]), "###").items():
        names = re.findall(r"`@([a-z]+)`", heading.split(":")[0])
        if not names:
            raise ValueError(f"{DOC_NAME}: record heading names no type: {heading!r}")
        forms = []
        for header, rows in _tables(lines):
            label = header[0]
            form = "" if label == "Key" else re.fullmatch(r"(\w+) form", label).group(1).lower()
            where = f"@{names[0]} {form} form".replace("  ", " ")
            fields = tuple(_field(r, kinds, where) for r in rows)
            if len({f.key for f in fields}) != len(fields):
                raise ValueError(f"{DOC_NAME}: {where} names a key twice")
            forms.append(Form(form, fields))
        for name in names:
            if name in types:
                raise ValueError(f"{DOC_NAME}: @{name} is documented twice")
            types[name] = tuple(forms) or (Form("", ()),)
    return Spec(kinds, types)


@functools.lru_cache(maxsize=None)
def spec(path=DOC):
    with open(path, encoding="utf-8") as f:
        return parse_spec(f.read())


# ---- one record --------------------------------------------------------------------

TYPE = re.compile(r"@([a-z]+)")
KEY = re.compile(r"([a-z_]+)=")
QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
BARE = re.compile(r'[^ "]+')


def split_record(line):
    """'@t k=v k2="x y"' -> ('t', [('k', 'v'), ('k2', '"x y"')]), values raw.
    Raises Violation when the line does not follow the line grammar."""
    m = TYPE.match(line)
    if not m:
        raise Violation("does not start with @ and a lowercase type")
    kind, pos, fields = m.group(1), m.end(), []
    while pos < len(line):
        if line[pos] != " ":
            raise Violation(f"expected a space at column {pos + 1}, found {line[pos]!r}")
        k = KEY.match(line, pos + 1)
        if not k:
            raise Violation(f"expected key=value at column {pos + 2}")
        v = (QUOTED if line.startswith('"', k.end()) else BARE).match(line, k.end())
        if not v:
            raise Violation(f"key {k.group(1)} has no value, or an unclosed quote")
        fields.append((k.group(1), v.group(0)))
        pos = v.end()
    return kind, fields


def unquote(value):
    """A field's value as text: a quoted one without its quotes, the three
    escapes of the line grammar replaced (\\xNN as the character NN)."""
    if not value.startswith('"'):
        return value
    body, out, i = value[1:-1], [], 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            n = body[i + 1]
            if n == "x":
                out.append(chr(int(body[i + 2:i + 4], 16)))
                i += 4
                continue
            out.append(n)
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _describe_kinds(field):
    return " or ".join([f"`{n}`" for n in field.kinds] + [repr(v) for v in field.literals])


def _match_form(kind, form, fields, sp):
    """None when fields are the form, else what is wrong with them."""
    documented = [f.key for f in form.fields]
    i = 0
    for f in form.fields:
        if i < len(fields) and fields[i][0] == f.key:
            value = fields[i][1]
            if value not in f.literals and not any(sp.kinds[n].fullmatch(value)
                                                   for n in f.kinds):
                return f"value {f.key}={value} is not {_describe_kinds(f)}"
            i += 1
        elif not f.optional:
            if f.key in [k for k, _ in fields[i:]]:
                return f"key {f.key} is out of order (documented order: {' '.join(documented)})"
            return f"key {f.key} is missing"
    if i < len(fields):
        k = fields[i][0]
        if k not in documented:
            return f"key {k} is not defined for @{kind} (defined: {' '.join(documented)})"
        return f"key {k} is repeated or out of order (documented order: {' '.join(documented)})"
    return None


def check_record(line, sp=None):
    """Returns (type, {key: raw value}, form name) for a record that follows
    the document; raises Violation saying what is undefined otherwise."""
    sp = sp or spec()
    kind, fields = split_record(line)
    if kind not in sp.types:
        raise Violation(f"type @{kind} is not defined in {DOC_NAME}")
    keys = [k for k, _ in fields]
    if len(set(keys)) != len(keys):
        raise Violation(f"a key appears twice: {' '.join(keys)}")
    problems = []
    for form in sp.types[kind]:
        problem = _match_form(kind, form, fields, sp)
        if problem is None:
            return kind, dict(fields), form.name
        problems.append(f"{form.name} form: {problem}" if form.name else problem)
    raise Violation("; ".join(problems))


# ---- a whole boot ------------------------------------------------------------------

@dataclass
class Record:
    line: int           # 1-based line number in the output
    type: str
    fields: dict        # key -> raw value (quoted values keep their quotes)
    form: str

    @property
    def scheduler(self):
        """Written by the scheduler whenever it runs: "directly" in the order
        rules skips these."""
        return ((self.type == "stack" and self.form == "growth")
                or (self.type == "warn" and self.fields.get("source") == "task"))

    def __str__(self):
        return f"line {self.line} (@{self.type} " + \
            " ".join(f"{k}={v}" for k, v in self.fields.items()) + ")"


def _region_span(r):
    return int(r.fields["start"], 16), int(r.fields["end"], 16)


def _rule_regions(recs):
    """Rule 3: a region inside a larger one comes after at least one such."""
    regions = [r for r in recs if r.type == "region"]
    for i, r in enumerate(regions):
        s, e = _region_span(r)
        larger = [j for j, o in enumerate(regions)
                  if o.fields["space"] == r.fields["space"]
                  and o.fields.get("pid") == r.fields.get("pid") and _region_span(o) != (s, e)
                  and _region_span(o)[0] <= s and e <= _region_span(o)[1]]
        if larger and min(larger) > i:
            yield (f"rule 3: {r} lies inside {regions[min(larger)]}, "
                   "but no region containing it comes before it")


def _rule_counts(recs):
    """Rules 1 and 2: records that appear at most once (@frames and @heap
    before the console's first @prompt); @boot first."""
    prompts = [i for i, r in enumerate(recs) if r.type == "prompt"]
    boot = recs[:prompts[0]] if prompts else recs
    for t in ("boot", "ksym", "framebuffer", "frames", "heap", "paging", "summary", "pause", "panic"):
        found = [r for r in (boot if t in ("frames", "heap") else recs) if r.type == t]
        if len(found) > 1:
            yield f"rule {1 if t == 'boot' else 2}: @{t} appears {len(found)} times: {found[1]}"
    boots = [i for i, r in enumerate(recs) if r.type == "boot"]
    if boots and boots[0] != 0:
        yield f"rule 1: @boot is not the first record: {recs[0]} comes before it"


def _rule_adjacent(main):
    """Rules 4, 5, 7, 8: records that follow others directly (main: the
    records without the scheduler's)."""
    last_fault = None
    for i, r in enumerate(main):
        prev = main[i - 1] if i else None
        nxt = main[i + 1] if i + 1 < len(main) else None
        if r.type == "fault":
            last_fault = r
            if nxt and not (nxt.type == "backtrace" and nxt.fields["index"] == "0"):
                yield f"rule 4: {r} is followed by {nxt}, not @backtrace index=0"
        if r.type == "backtrace":
            n = int(r.fields["index"])
            want = "fault" if n == 0 else "backtrace"
            if not prev or prev.type != want or (n and int(prev.fields["index"]) != n - 1):
                yield f"rule 4: {r} does not follow its @fault or @backtrace index={n - 1}"
            if n >= MAX_BACKTRACE:
                yield f"rule 4: {r}: more than {MAX_BACKTRACE} frames"
        if r.type == "claim" and "pid" not in r.fields and nxt and nxt.type != "demo":
            yield f"rule 5: {r} is followed by {nxt}, not @demo"
        if r.type == "claim" and "pid" in r.fields:
            pid = r.fields["pid"]
            if not prev or prev.type not in ("exit", "claim") or prev.fields.get("pid") != pid:
                yield f"rule 5: {r} does not follow process {pid}'s @exit or claims directly"
        if r.type == "demo" and r.fields["result"] == "faulted":
            if not prev or prev.type != "backtrace":
                yield f"rule 5: faulted {r} does not follow a backtrace directly"
            elif last_fault and last_fault.fields["vector"] != r.fields["vector"]:
                yield f"rule 5: {r} does not repeat the vector of {last_fault}"
        if r.type == "auxv":
            if not prev or prev.type not in ("process", "auxv"):
                yield f"rule 7: {r} does not follow @process or @auxv"
            if prev and prev.type == "auxv" and prev.fields["type"] == "0":
                yield f"rule 7: {r} follows @auxv type=0, the end of the vector"
            if nxt and nxt.type != "auxv" and r.fields["type"] != "0":
                yield f"rule 7: {r} is the last @auxv but not type=0"
        if r.type == "process" and nxt and nxt.type != "auxv":
            yield f"rule 7: {r} is followed by {nxt}, not @auxv"
        if r.type == "stack" and r.form == "summary":
            t = r.fields["task"]
            want = "boot.stack" if t == "0" else f"task.{t}.stack"
            if not prev or prev.type != "region" or prev.fields["name"] != want:
                yield f"rule 8: {r} does not follow @region name={want}"


def _rule_sequences(recs):
    """Rules 6, 8, 9, 10: counters that go up; @test before @summary."""
    last = {}
    grew = {}
    for r in recs:
        if r.type in ("arg", "env"):
            n, before = int(r.fields["index"]), last.get((r.type, r.form))
            if n != 0 and n != (before if before is not None else -1) + 1:
                yield f"rule 6: {r}: index {n} does not follow {before}"
            last[(r.type, r.form)] = n
            if r.type == "arg" and n == 0 and r.fields["value"] != '"mematlas"':
                yield f"rule 6: {r}: argument 0 is not \"mematlas\""
        if r.type == "stack" and r.form == "growth":
            t, b = r.fields["task"], int(r.fields["grew_to"])
            if t in grew and b <= grew[t]:
                yield f"rule 8: {r}: the stack of task {t} grew to {b} after {grew[t]}"
            grew[t] = b
        if r.type == "gc":
            c = int(r.fields["cycle"])
            if "gc" in last and c <= last["gc"]:
                yield f"rule 9: {r}: cycle {c} after cycle {last['gc']}"
            last["gc"] = c
    summary = [i for i, r in enumerate(recs) if r.type == "summary"]
    if summary:
        tests = [r for r in recs if r.type == "test"]
        after = [r for r in recs[summary[0]:] if r.type == "test"]
        if after:
            yield f"rule 10: {after[0]} comes after the @summary"
        s = recs[summary[0]].fields
        passed = sum(r.fields["result"] == "pass" for r in tests)
        if (int(s["passed"]), int(s["failed"])) != (passed, len(tests) - passed):
            yield (f"rule 10: {recs[summary[0]]} does not count the {passed} passed and "
                   f"{len(tests) - passed} failed @test records")


def _rule_last(recs):
    """Rule 11: @pause and @panic end the run."""
    for i, r in enumerate(recs):
        if r.type in ("pause", "panic") and i + 1 < len(recs):
            yield f"rule 11: {r} is followed by {recs[i + 1]}"


def _rule_processes(recs):
    """Rule 12: a process's records lie between its @spawn and its @exit."""
    running = None
    for r in recs:
        pid = r.fields.get("pid")
        if r.type == "spawn":
            if running is not None:
                yield f"rule 12: {r} comes before process {running} has its @exit"
            running = pid
        elif r.type == "exit":
            if pid != running:
                yield f"rule 12: {r} does not end the running process ({running})"
            running = None
        elif pid is not None and r.type in ("region", "syscall", "fault", "symbol") and \
                pid != running:
            yield f"rule 12: {r} is outside process {pid}'s @spawn and @exit"


def _rule_console(recs):
    """Rule 13: at most one @command after each @prompt, none before the first."""
    prompted = False
    for r in recs:
        if r.type == "prompt":
            prompted = True
        elif r.type == "command":
            if not prompted:
                yield f"rule 13: {r} does not follow a @prompt"
            prompted = False


def check_order(recs):
    """The order rules' violations in a boot's records (a list of Record)."""
    main = [r for r in recs if not r.scheduler]
    problems = []
    for rule in (_rule_counts(recs), _rule_regions(recs), _rule_adjacent(main),
                 _rule_sequences(recs), _rule_last(recs), _rule_processes(recs),
                 _rule_console(recs)):
        problems.extend(rule)
    return problems


def records_of(output, sp=None):
    """(records, problems) of a boot's serial output. A last line without
    its newline (QEMU ended mid-line) is not checked."""
    sp = sp or spec()
    lines = output.split("\n")
    if lines and lines[-1] != "":
        lines = lines[:-1]
    recs, problems = [], []
    inside = re.compile(r".@(%s) [a-z_]+=" % "|".join(sp.types))
    for n, line in enumerate(lines, 1):
        line = line.rstrip("\r")
        if line.startswith("@"):
            try:
                recs.append(Record(n, *check_record(line, sp)))
            except Violation as e:
                problems.append(f"line {n}: {line[:160]}\n    {e}")
        elif inside.search(line):
            problems.append(f"line {n}: a record that does not start its line: {line[:160]}")
    return recs, problems


def check_output(output, sp=None):
    """Raises Violation listing every way output breaks the protocol."""
    recs, problems = records_of(output, sp)
    problems += check_order(recs)
    if problems:
        shown = problems[:12]
        more = f"\n  ... and {len(problems) - 12} more" if len(problems) > 12 else ""
        raise Violation(f"the serial output breaks {DOC_NAME}:\n  " + "\n  ".join(shown) + more)
    return recs
