#!/usr/bin/python3
"""gentraces.py - write the standard allocation traces for heapbench.

Usage: tools/gentraces.py [OUTDIR [NAME...]]      (default: build/traces, all four)

Writes OUTDIR/NAME.trace for the standard traces below (all four, or the
ones named). Every trace comes from its own fixed seed and Python's own
`random` module (whose generator and methods used here are stable across
versions), so running this again writes the same bytes, one trace at a
time or all together. `make bench` writes each one it needs into
$(BUILD)/traces/ this way, once; the traces are not in the repository.

Trace format (what build/host/heapbench reads), one operation a line:

    a ID SIZE     allocate SIZE bytes and call the block ID
    f ID          free block ID
    r ID SIZE     resize block ID to SIZE bytes (realloc)

ID is a decimal number naming a block while it is live; once freed, the same
ID may name a later block. SIZE is a decimal byte count (0 .. 2^32-1).
Fields are separated by spaces or tabs. Blank lines and lines starting with
'#' are ignored. It is a trace error to allocate an ID that is live, or to
free or resize one that is not; heapbench reports it with its line number.
A trace need not free everything it allocates (heapbench frees what is left,
untimed), but the standard ones do.

The standard traces:

  churn        small objects (16..256 bytes) coming and going around a
               population of a few thousand, with a few resizes
  powerlaw     sizes from 8 bytes to 64 KiB with a Pareto tail (most blocks
               tiny, a few large), random lifetimes, resizes that grow
  grow-shrink  builds up tens of MB (power-law sizes with a few big
               buffers and some churn), then frees it in random order
  long-short   a long-lived population (tens of thousands of blocks, most
               of it allocated early, replaced slowly) with short-lived
               blocks allocated and freed within a few operations
"""
import heapq
import os
import random
import sys

KIB = 1024
MIB = 1024 * 1024


class Trace:
    """Collects operations; hands out the smallest free ID, so IDs are reused."""

    def __init__(self, name, seed, about):
        self.name = name
        self.seed = seed
        self.about = about
        self.rng = random.Random(seed)
        self.lines = []
        self.live = {}          # id -> size
        self.free_ids = []      # heap of released IDs
        self.next_id = 0
        self.live_bytes = 0
        self.peak_live = 0

    def alloc(self, size):
        if self.free_ids:
            i = heapq.heappop(self.free_ids)
        else:
            i = self.next_id
            self.next_id += 1
        self.live[i] = size
        self.live_bytes += size
        self.peak_live = max(self.peak_live, self.live_bytes)
        self.lines.append(f"a {i} {size}")
        return i

    def free(self, i):
        self.live_bytes -= self.live.pop(i)
        heapq.heappush(self.free_ids, i)
        self.lines.append(f"f {i}")

    def realloc(self, i, size):
        self.live_bytes += size - self.live[i]
        self.live[i] = size
        self.peak_live = max(self.peak_live, self.live_bytes)
        self.lines.append(f"r {i} {size}")

    def free_all_random(self):
        ids = sorted(self.live)
        self.rng.shuffle(ids)
        for i in ids:
            self.free(i)

    def text(self):
        head = [f"# mematlas heap trace '{self.name}' - written by tools/gentraces.py "
                f"(seed {self.seed}); format: see that script",
                f"# {self.about}",
                f"# ops {len(self.lines)}, peak live {self.peak_live} bytes"]
        return "\n".join(head + self.lines) + "\n"


class LiveSet:
    """The live IDs of one population, with O(1) removal of a random member."""

    def __init__(self):
        self.ids = []
        self.where = {}

    def __len__(self):
        return len(self.ids)

    def add(self, i):
        self.where[i] = len(self.ids)
        self.ids.append(i)

    def remove(self, i):
        k = self.where.pop(i)
        last = self.ids.pop()
        if last != i:
            self.ids[k] = last
            self.where[last] = k

    def pick(self, rng):
        return self.ids[rng.randrange(len(self.ids))]


def pareto_size(rng, scale, alpha, cap):
    """scale * Pareto(alpha), rounded down, at most cap: most small, a long tail."""
    return min(cap, int(scale * rng.paretovariate(alpha)))


def small_size(rng):
    """16..256 bytes, weighted toward the small end like real objects."""
    r = rng.random()
    if r < 0.45:
        return rng.randint(16, 64)
    if r < 0.80:
        return rng.randint(65, 128)
    return rng.randint(129, 256)


def population(t, steps, period, lo, hi, size, resize):
    """Allocations, frees and resizes that keep the number of live blocks
    near a target, drawn again from [lo, hi] every `period` steps."""
    rng = t.rng
    pop = LiveSet()
    target = lo
    for step in range(steps):
        if step % period == 0:
            target = rng.randint(lo, hi)
        p_alloc = 0.5 + 0.5 * (target - len(pop)) / target
        r = rng.random()
        if len(pop) == 0 or r < p_alloc * 0.95:
            pop.add(t.alloc(size(rng)))
        elif r < 0.95:
            i = pop.pick(rng)
            pop.remove(i)
            t.free(i)
        else:
            i = pop.pick(rng)
            t.realloc(i, resize(rng, t.live[i]))
    t.free_all_random()
    return t


def gen_churn():
    t = Trace("churn", 1, "small-object churn: 16..256 bytes around a population "
                          "of 2,000..4,000 blocks, 5% resizes")
    return population(t, 190_000, 20_000, 2000, 4000, small_size,
                      lambda rng, old: small_size(rng))


def powerlaw_resize(rng, old):
    if rng.random() < 0.75:         # grow, as buffers do
        return min(64 * KIB, old + old // 2 + rng.randint(8, 64))
    return max(8, old // 2)


def gen_powerlaw():
    t = Trace("powerlaw", 2, "sizes 8 B..64 KiB, 8 * Pareto(alpha 0.7); population "
                             "around 5,000 blocks; 5% resizes, mostly growing")
    return population(t, 180_000, 15_000, 3000, 7000,
                      lambda rng: pareto_size(rng, 8, 0.7, 64 * KIB), powerlaw_resize)


def grow_shrink_size(rng):
    """Power-law sizes, with a few big buffers (64 KiB..1 MiB)."""
    if rng.random() < 0.0005:
        return rng.randint(64 * KIB, 1 * MIB)
    return pareto_size(rng, 16, 0.8, 64 * KIB)


def gen_grow_shrink():
    t = Trace("grow-shrink", 3, "grows to ~35 MB (power-law sizes, 0.05% buffers of "
                                "64 KiB..1 MiB, 10% churn), then frees in random order")
    rng = t.rng
    pop = LiveSet()
    goal = 35 * MIB
    # Growing: mostly allocations; now and then a recent block dies young.
    recent = []
    while t.live_bytes < goal:
        if recent and rng.random() < 0.10:
            i = recent.pop(rng.randrange(len(recent)))
            pop.remove(i)
            t.free(i)
        else:
            i = t.alloc(grow_shrink_size(rng))
            pop.add(i)
            recent.append(i)
            if len(recent) > 64:
                recent.pop(0)
    # Shrinking: frees in random order, with a little allocation mixed in.
    while len(pop):
        if rng.random() < 0.05:
            pop.add(t.alloc(pareto_size(rng, 16, 0.8, 64 * KIB)))
        else:
            i = pop.pick(rng)
            pop.remove(i)
            t.free(i)
    return t


def gen_long_short():
    t = Trace("long-short", 4, "20,000 long-lived blocks (16 B..4 KiB, replaced "
                               "slowly) among short-lived ones (16 B..8 KiB, freed "
                               "within 1..16 ops)")
    rng = t.rng
    longs = LiveSet()
    shorts = []                 # (op count when it dies, id)
    n_long = 20_000
    ops = 0
    while ops < 190_000:
        ops += 1
        # Short-lived blocks whose time has come die first.
        if shorts and shorts[0][0] <= ops:
            _, i = heapq.heappop(shorts)
            t.free(i)
            continue
        r = rng.random()
        if len(longs) < n_long and r < 0.5:
            longs.add(t.alloc(pareto_size(rng, 16, 1.0, 4 * KIB)))
        elif len(longs) >= n_long and r < 0.02:
            # Replace a long-lived block: free one, allocate its successor.
            i = longs.pick(rng)
            longs.remove(i)
            t.free(i)
            longs.add(t.alloc(pareto_size(rng, 16, 1.0, 4 * KIB)))
        else:
            i = t.alloc(pareto_size(rng, 16, 0.9, 8 * KIB))
            heapq.heappush(shorts, (ops + rng.randint(1, 16), i))
    while shorts:
        t.free(heapq.heappop(shorts)[1])
    t.free_all_random()
    return t


GENERATORS = {"churn": gen_churn, "powerlaw": gen_powerlaw,
              "grow-shrink": gen_grow_shrink, "long-short": gen_long_short}


def write(out, gen):
    """Writes one trace; a file is there whole or not at all (make relies on it)."""
    t = gen()
    assert not t.live, f"{t.name}: {len(t.live)} blocks left live"
    path = os.path.join(out, t.name + ".trace")
    with open(path + ".tmp", "w", newline="\n") as f:
        f.write(t.text())
    os.replace(path + ".tmp", path)
    print(f"{path}: {len(t.lines)} ops, peak live {t.peak_live} bytes, "
          f"{os.path.getsize(path)} bytes")


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    out = argv[1] if len(argv) > 1 else os.path.relpath(os.path.join(here, "..", "build", "traces"))
    names = argv[2:] or list(GENERATORS)
    unknown = [n for n in names if n not in GENERATORS]
    if unknown:
        print(f"gentraces.py: no trace named {', '.join(unknown)} "
              f"(there are {', '.join(GENERATORS)})", file=sys.stderr)
        return 2
    os.makedirs(out, exist_ok=True)
    for name in names:
        write(out, GENERATORS[name])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
