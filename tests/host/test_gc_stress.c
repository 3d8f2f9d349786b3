/*
 * test_gc_stress.c - kernel/mm/gc.c against a model: random object graphs
 * (objects with pointer slots and filler bytes, rooted directly or through
 * interior pointers, rewired all the time), collected on request and by
 * GOGC. After each collection everything the model reaches from roots[] must
 * be there and intact, everything else gone, and the statistics must add up.
 * A failure names its seed. The set-up is in gc_fixture.h.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "gc_fixture.h"
#include "rng.h"

/* ---- randomized, against a model ------------------------------------------------------------------ */

#define R_OBJS      12000
#define R_SLOTS     4

struct robj {
    uint8_t *p;
    size_t size, usable;        /* asked for, got */
    unsigned nslots;
    int slot[R_SLOTS];          /* object index or -1 */
    bool exists;                /* not freed yet */
    bool reach;                 /* scratch for the check */
};

static struct robj *ro;
static unsigned nro;
static int rroot[NROOTS];       /* object index or -1 */
static size_t rroot_off[NROOTS];
static unsigned *exist;         /* indices of existing objects */
static unsigned nexist;
static unsigned r_checks;

/* Object layout: [id tag][slots...][fill bytes up to size]. */
static inline uint8_t fill_byte(unsigned id, size_t k)
{
    return (uint8_t)(0x80 | ((id * 7 + k) & 0x7F));     /* never an address */
}

static bool payload_ok(const struct robj *o, unsigned id)
{
    uintptr_t *w = (uintptr_t *)o->p;
    if (w[0] != tag(id))
        return false;
    for (unsigned s = 0; s < o->nslots; s++)
        if ((void *)w[1 + s] != (o->slot[s] < 0 ? NULL : ro[o->slot[s]].p))
            return false;
    for (size_t k = 8 * (1 + o->nslots); k < o->size; k++)
        if (o->p[k] != fill_byte(id, k))
            return false;
    return true;
}

/*
 * After a collection of the objects the model had (newp: an object allocated
 * right after it, which may sit where a freed one was): what is reachable
 * from roots[] is all there and intact, and everything else is gone.
 */
static void r_verify(const void *newp, bool new_counted)
{
    r_checks++;
    for (unsigned i = 0; i < nro; i++)
        ro[i].reach = false;
    static unsigned queue[R_OBJS];
    unsigned qh = 0, qt = 0;
    for (unsigned r = 0; r < NROOTS; r++)
        if (rroot[r] >= 0 && !ro[rroot[r]].reach) {
            ro[rroot[r]].reach = true;
            queue[qt++] = (unsigned)rroot[r];
        }
    while (qh < qt) {
        const struct robj *o = &ro[queue[qh++]];
        for (unsigned s = 0; s < o->nslots; s++)
            if (o->slot[s] >= 0 && !ro[o->slot[s]].reach) {
                ro[o->slot[s]].reach = true;
                queue[qt++] = (unsigned)o->slot[s];
            }
    }
    unsigned reach = 0, freed = 0, bad_live = 0, bad_payload = 0, bad_freed = 0;
    size_t live_bytes = 0, freed_bytes = 0;
    for (unsigned k = 0; k < nexist; k++) {
        unsigned i = exist[k];
        struct robj *o = &ro[i];
        if (o->reach) {
            reach++;
            live_bytes += o->usable;
            bad_live += !gc_is_live_object(&G, o->p) ||
                        gc_object_of(&G, o->p + o->size - 1) != o->p ||
                        gc_object_size(&G, o->p) != o->usable;
            bad_payload += !payload_ok(o, i);
        } else {
            freed++;
            freed_bytes += o->usable;
            const void *at = gc_object_of(&G, o->p);
            bad_freed += (gc_is_live_object(&G, o->p) && o->p != newp) ||
                         (at != NULL && at != newp);
            o->exists = false;
        }
    }
    CHECK_INT_EQ(bad_live, 0);
    CHECK_INT_EQ(bad_payload, 0);
    CHECK_INT_EQ(bad_freed, 0);
    CHECK_INT_EQ(G.stats.marked, reach);
    CHECK_INT_EQ(G.stats.freed, freed);
    CHECK_INT_EQ(G.stats.live_bytes, live_bytes);
    CHECK_INT_EQ(G.stats.freed_bytes, freed_bytes);
    CHECK_INT_EQ(G.stats.objects, reach + new_counted);
    CHECK_HEAP();
    /* Forget the freed ones; roots and slots never name them (unreachable). */
    unsigned m = 0;
    for (unsigned k = 0; k < nexist; k++)
        if (ro[exist[k]].exists)
            exist[m++] = exist[k];
    nexist = m;
}

static void r_set_root(unsigned r, int i)
{
    rroot[r] = i;
    rroot_off[r] = 0;
    if (i >= 0 && rng_below(4) == 0)        /* sometimes an interior pointer */
        rroot_off[r] = rng_below((uint32_t)ro[i].size);
    roots[r] = i < 0 ? NULL : ro[i].p + rroot_off[r];
}

static void r_set_slot(unsigned i, unsigned s, int j)
{
    ro[i].slot[s] = j;
    ((void **)ro[i].p)[1 + s] = j < 0 ? NULL : ro[j].p;
}

static int r_pick(void)
{
    return nexist ? (int)exist[rng_below(nexist)] : -1;
}

/* The model, empty, over a fresh collector; the generator at seed. */
static bool r_start(uint64_t seed, unsigned gogc, unsigned grey_cap)
{
    if (!setup(8 * MiB, grey_cap, gogc))
        return false;
    ro = calloc(R_OBJS, sizeof *ro);
    exist = calloc(R_OBJS, sizeof *exist);
    if (!CHECK(ro && exist))
        return false;
    nro = nexist = r_checks = 0;
    for (unsigned r = 0; r < NROOTS; r++)
        rroot[r] = -1;
    rng_state = seed;
    return true;
}

/* Records the new object p in the model and fills it: its id, empty slots,
 * filler bytes. Returns its index. */
static unsigned r_record(uint8_t *p, size_t size, unsigned nslots)
{
    unsigned i = nro++;
    ro[i] = (struct robj){ .p = p, .size = size, .usable = gc_object_size(&G, p),
                           .nslots = nslots, .exists = true };
    CHECK(all_zero(p, ro[i].usable));
    ((uintptr_t *)p)[0] = tag(i);
    for (unsigned s = 0; s < R_SLOTS; s++)
        ro[i].slot[s] = -1;
    for (size_t k = 8 * (1 + nslots); k < size; k++)
        p[k] = fill_byte(i, k);
    return i;
}

/* Wires the new object i up: out to existing objects, and in from a root or
 * a slot (of an object that may itself be garbage). */
static void r_wire(unsigned i, unsigned nslots)
{
    for (unsigned s = 0; s < nslots; s++)
        if (rng_below(2))
            r_set_slot(i, s, r_pick());
    int from = r_pick();
    exist[nexist++] = i;
    if (from < 0 || rng_below(3) == 0)
        r_set_root(rng_below(NROOTS), (int)i);
    else
        r_set_slot((unsigned)from, rng_below(ro[from].nslots), (int)i);
}

/* A new object of up to R_SLOTS slots and extra_max filler bytes. When
 * gc_alloc collected first, that collection is verified and counted in
 * *collections. False when the allocation failed. */
static bool r_new_object(unsigned extra_max, unsigned *collections)
{
    unsigned nslots = 1 + rng_below(R_SLOTS);
    size_t size = 8 * (1 + nslots) + rng_below(extra_max);
    unsigned cycle = G.stats.cycle;
    uint8_t *p = gc_alloc(&G, size);
    if (!CHECK(p))
        return false;
    if (G.stats.cycle != cycle) {
        if (!CHECK_INT_EQ(G.stats.cycle, cycle + 1))
            return false;
        r_verify(p, true);
        ++*collections;
    }
    r_wire(r_record(p, size, nslots), nslots);
    return true;
}

/* One random step: a new object (40 %), a slot pointed elsewhere or cleared
 * (30 %), a root pointed elsewhere or cleared (18 %), a root cleared. False
 * when it could not go on. */
static bool r_step(unsigned extra_max, unsigned *auto_collections)
{
    uint32_t op = rng_below(100);
    if (op < 40 && nro < R_OBJS)
        return r_new_object(extra_max, auto_collections);
    if (op < 70 && nexist) {
        unsigned i = exist[rng_below(nexist)];
        r_set_slot(i, rng_below(ro[i].nslots), rng_below(5) ? r_pick() : -1);
    } else if (op < 88) {
        r_set_root(rng_below(NROOTS), rng_below(3) ? r_pick() : -1);
    } else {
        r_set_root(rng_below(NROOTS), -1);
    }
    return true;
}

/* Drops every root: the last collection frees everything; the model and the
 * collector go. */
static void r_end(void)
{
    memset(roots, 0, sizeof roots);
    gc_collect(&G);
    CHECK_INT_EQ(G.stats.objects, 0);
    free(ro);
    free(exist);
    ro = NULL;
    exist = NULL;
    finish();
}

/* `steps` random steps from `seed`, with an explicit collection after every
 * collect_every-th; every collection, explicit or by GOGC, is verified. */
static void randomized(uint64_t seed, unsigned gogc, unsigned grey_cap, unsigned steps,
                       unsigned extra_max, unsigned collect_every)
{
    REQUIRE(r_start(seed, gogc, grey_cap));
    unsigned explicit_collections = 0, auto_collections = 0, step;
    for (step = 0; step < steps && !check_failures; step++) {
        if (!r_step(extra_max, &auto_collections))
            break;
        if (step % collect_every == collect_every - 1) {
            gc_collect(&G);
            explicit_collections++;
            r_verify(NULL, false);
        }
    }
    if (check_failures) {
        printf("  seed %llu, step %u\n", (unsigned long long)seed, step);
        return;
    }
    CHECK(explicit_collections > 0);
    CHECK(gogc ? auto_collections > 10 : auto_collections == 0);
    CHECK_INT_EQ(r_checks, G.stats.cycle);
    printf("  seed %llu: %u objects, %u explicit and %u automatic collections, %u objects now\n",
           (unsigned long long)seed, nro, explicit_collections, auto_collections, nexist);
    r_end();
}

/* Collections only when asked; a small worklist that overflows often. */
static void random_graph(void)
{
    randomized(20240601, 0, 4, 20000, 100, 300);
}

/* GOGC-driven collections too, checked whenever one happens. */
static void random_graph_auto(void)
{
    randomized(7, 25, 1024, 20000, 1000, 1000);
}

static const struct check_test tests[] = {
    TEST(random_graph),
    TEST(random_graph_auto),
};

CHECK_MAIN(tests)
