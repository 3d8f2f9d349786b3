/*
 * test_region.c - kernel/atlas/region.c, the atlas's region table: adding
 * regions (fields, long names, a full table), region_table_check sorting and
 * nesting them and reporting partial overlaps (by hand and against brute
 * force on random tables and trees), the lookups by address and by name, and
 * the permission and space names. The diagram drawn from the table is tested
 * in test_diagram.c.
 */
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "region_fixture.h"

static const struct region *named(const struct region_table *t,
                                  enum region_space space, const char *name)
{
    const struct region *r = region_by_name(t, space, name);
    if (!r)
        printf("  no region %s\n", name);
    return r;
}

/* The name of the innermost region holding addr, or NULL for none. */
static const char *found(const struct region_table *t, enum region_space space,
                         uint64_t addr)
{
    const struct region *r = region_find(t, space, addr);
    return r ? r->name : NULL;
}

/* The name of r's parent, or "-" for none. */
static const char *parent_name(const struct region_table *t, const struct region *r)
{
    if (!r)
        return "(missing)";
    if (r->parent == REGION_NO_PARENT)
        return "-";
    if (r->parent < 0 || (unsigned)r->parent >= t->count)
        return "(bad index)";
    return t->r[r->parent].name;
}

#define CHECK_PARENT(t, space, name, want_parent, want_depth) \
    do { const struct region *r_ = named(t, space, name); \
         CHECK_STR_EQ(parent_name(t, r_), want_parent); \
         if (r_) CHECK_INT_EQ(r_->depth, want_depth); } while (0)

/* Overlap reports, collected by the callback. */
#define REPORTS_MAX 256
static struct { struct region a, b; } reports[REPORTS_MAX];
static unsigned report_count;

static void record_overlap(const struct region *a, const struct region *b)
{
    if (report_count < REPORTS_MAX) {
        reports[report_count].a = *a;
        reports[report_count].b = *b;
    }
    report_count++;
}

static unsigned check_table(struct region_table *t)
{
    report_count = 0;
    return region_table_check(t, record_overlap);
}

/* A small deterministic generator, so failures can be replayed. */
static uint32_t rng_state;

static uint32_t rng(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

/* ---- region_add ---------------------------------------------------------- */

static void add_fields(void)
{
    struct region_table *t = fresh();
    CHECK_INT_EQ(t->count, 0);
    CHECK_INT_EQ(t->dropped, 0);

    struct region *r = region_add(t, SPACE_VIRTUAL, "kernel.text", 0xc0100000,
                                  0xc0104000, 0x100000, PERM_R | PERM_X,
                                  KIND_CODE, "the code");
    REQUIRE(r != NULL);
    CHECK(r == &t->r[0]);
    CHECK_STR_EQ(r->name, "kernel.text");
    CHECK_HEX_EQ(r->start, 0xc0100000);
    CHECK_HEX_EQ(r->end, 0xc0104000);
    CHECK_HEX_EQ(r->phys, 0x100000);
    CHECK_INT_EQ(r->space, SPACE_VIRTUAL);
    CHECK_INT_EQ(r->kind, KIND_CODE);
    CHECK_INT_EQ(r->perm, PERM_R | PERM_X);
    CHECK_STR_EQ(r->what, "the code");
    CHECK_INT_EQ(r->parent, REGION_NO_PARENT);
    CHECK_INT_EQ(r->depth, 0);
    CHECK_INT_EQ(t->count, 1);

    /* A long name is cut to fit, and terminated. */
    r = add(t, SPACE_PHYSICAL, "a-name-much-longer-than-the-field", 0, 1, KIND_RAM);
    REQUIRE(r != NULL);
    CHECK_INT_EQ(strlen(r->name), REGION_NAME_MAX - 1);
    CHECK(strncmp(r->name, "a-name-much-longer-than-the-field",
                  REGION_NAME_MAX - 1) == 0);

    /* Empty is fine; end before start is refused without counting as dropped. */
    CHECK(add(t, SPACE_VIRTUAL, "empty", 0x5000, 0x5000, KIND_GUARD) != NULL);
    CHECK(add(t, SPACE_VIRTUAL, "backwards", 0x5000, 0x4fff, KIND_GUARD) == NULL);
    CHECK_INT_EQ(t->count, 3);
    CHECK_INT_EQ(t->dropped, 0);
    /* A region may reach the top of the 64-bit space. */
    CHECK(add(t, SPACE_PHYSICAL, "top", 0xfffffffffffff000ULL, UINT64_MAX,
              KIND_RESERVED) != NULL);
}

static void add_table_full(void)
{
    struct region_table *t = fresh();
    char name[16];
    for (unsigned i = 0; i < REGION_MAX; i++) {
        snprintf(name, sizeof name, "r%u", i);
        if (!CHECK(add(t, SPACE_PHYSICAL, name, i * 0x1000ULL, i * 0x1000ULL + 0x1000,
                       KIND_DATA) != NULL))
            return;
    }
    CHECK_INT_EQ(t->count, REGION_MAX);
    CHECK_INT_EQ(t->dropped, 0);
    CHECK(add(t, SPACE_PHYSICAL, "one-more", 0, 1, KIND_DATA) == NULL);
    CHECK(add(t, SPACE_VIRTUAL, "two-more", 0, 1, KIND_DATA) == NULL);
    CHECK_INT_EQ(t->count, REGION_MAX);
    CHECK_INT_EQ(t->dropped, 2);
    CHECK_STR_EQ(t->r[REGION_MAX - 1].name, "r127");
    CHECK_INT_EQ(check_table(t), 0);
}

/* ---- region_table_check -------------------------------------------------- */

/* True when a must come before b: space, then start up, then end down. */
static bool ordered(const struct region *a, const struct region *b)
{
    if (a->space != b->space)
        return a->space < b->space;
    if (a->start != b->start)
        return a->start < b->start;
    if (a->end != b->end)
        return a->end > b->end;
    return a->kind <= b->kind;
}

static bool table_sorted(const struct region_table *t)
{
    for (unsigned i = 1; i < t->count; i++)
        if (!ordered(&t->r[i - 1], &t->r[i])) {
            printf("  out of order at %u: %s, %s\n", i, t->r[i - 1].name,
                   t->r[i].name);
            return false;
        }
    return true;
}

static void sort_order(void)
{
    struct region_table *t = fresh();
    add(t, SPACE_PHYSICAL, "p-high", 0x9000, 0xa000, KIND_DATA);
    add(t, SPACE_VIRTUAL, "v-mid", 0x5000, 0x6000, KIND_DATA);
    add(t, SPACE_PHYSICAL, "p-low", 0x1000, 0x2000, KIND_DATA);
    add(t, SPACE_VIRTUAL, "v-inner", 0x1000, 0x2000, KIND_DATA);
    add(t, SPACE_VIRTUAL, "v-outer", 0x1000, 0x4000, KIND_IMAGE);
    add(t, SPACE_VIRTUAL, "v-zero", 0x0, 0x0, KIND_GUARD);
    add(t, SPACE_PHYSICAL, "p-4g", 0x100000000ULL, 0x100001000ULL, KIND_RAM);
    CHECK_INT_EQ(check_table(t), 0);
    CHECK(table_sorted(t));

    static const char *const want[] = { "v-zero", "v-outer", "v-inner", "v-mid",
                                        "p-low", "p-high", "p-4g" };
    REQUIRE_INT_EQ(t->count, 7);
    for (unsigned i = 0; i < 7; i++)
        CHECK_STR_EQ(t->r[i].name, want[i]);
}

static void nesting(void)
{
    struct region_table *t = fresh();
    /* Added leaves first and out of order, as the atlas might. */
    add(t, SPACE_PHYSICAL, "data", 0x200000, 0x300000, KIND_DATA);
    add(t, SPACE_PHYSICAL, "vga", 0xb8000, 0xc0000, KIND_DEVICE);
    add(t, SPACE_PHYSICAL, "text", 0x100000, 0x200000, KIND_CODE);
    add(t, SPACE_PHYSICAL, "image", 0x100000, 0x400000, KIND_IMAGE);
    add(t, SPACE_PHYSICAL, "low", 0x0, 0x100000, KIND_RESERVED);
    add(t, SPACE_PHYSICAL, "ram", 0x0, 0x8000000, KIND_RAM);
    add(t, SPACE_PHYSICAL, "above", 0x8000000, 0x9000000, KIND_RESERVED);
    /* Virtual regions at the same numbers do not nest with physical ones. */
    add(t, SPACE_VIRTUAL, "v-all", 0x0, 0xffffffffULL, KIND_USER);
    add(t, SPACE_VIRTUAL, "v-text", 0x100000, 0x200000, KIND_CODE);

    CHECK_INT_EQ(check_table(t), 0);
    CHECK_INT_EQ(report_count, 0);
    CHECK_PARENT(t, SPACE_PHYSICAL, "ram", "-", 0);
    CHECK_PARENT(t, SPACE_PHYSICAL, "low", "ram", 1);
    CHECK_PARENT(t, SPACE_PHYSICAL, "vga", "low", 2);
    CHECK_PARENT(t, SPACE_PHYSICAL, "image", "ram", 1);
    CHECK_PARENT(t, SPACE_PHYSICAL, "text", "image", 2);
    CHECK_PARENT(t, SPACE_PHYSICAL, "data", "image", 2);
    CHECK_PARENT(t, SPACE_PHYSICAL, "above", "-", 0);   /* touches ram, not in it */
    CHECK_PARENT(t, SPACE_VIRTUAL, "v-all", "-", 0);
    CHECK_PARENT(t, SPACE_VIRTUAL, "v-text", "v-all", 1);

    /* The parent of every region lies before it and contains it. */
    for (unsigned i = 0; i < t->count; i++) {
        const struct region *r = &t->r[i];
        if (r->parent == REGION_NO_PARENT)
            continue;
        CHECK(r->parent < (int)i);
        const struct region *p = &t->r[r->parent];
        CHECK(p->space == r->space && p->start <= r->start && r->end <= p->end);
        CHECK_INT_EQ(r->depth, p->depth + 1);
    }
}

static void equal_ranges(void)
{
    struct region_table *t = fresh();
    /* Same range: the lower kind (the container) becomes the parent,
     * whatever the order they were added in. */
    add(t, SPACE_PHYSICAL, "code", 0x1000, 0x2000, KIND_CODE);
    add(t, SPACE_PHYSICAL, "ram", 0x1000, 0x2000, KIND_RAM);
    add(t, SPACE_PHYSICAL, "image", 0x1000, 0x2000, KIND_IMAGE);
    add(t, SPACE_VIRTUAL, "v-stack", 0x8000, 0x9000, KIND_STACK);
    add(t, SPACE_VIRTUAL, "v-window", 0x8000, 0x9000, KIND_WINDOW);

    CHECK_INT_EQ(check_table(t), 0);
    CHECK_PARENT(t, SPACE_PHYSICAL, "ram", "-", 0);
    CHECK_PARENT(t, SPACE_PHYSICAL, "image", "ram", 1);
    CHECK_PARENT(t, SPACE_PHYSICAL, "code", "image", 2);
    CHECK_PARENT(t, SPACE_VIRTUAL, "v-window", "-", 0);
    CHECK_PARENT(t, SPACE_VIRTUAL, "v-stack", "v-window", 1);

    /* Found innermost, for any address inside. */
    CHECK_STR_EQ(found(t, SPACE_PHYSICAL, 0x1000), "code");
    CHECK_STR_EQ(found(t, SPACE_PHYSICAL, 0x1fff), "code");
}

static void zero_size_regions(void)
{
    struct region_table *t = fresh();
    add(t, SPACE_VIRTUAL, "box", 0x1000, 0x3000, KIND_IMAGE);
    add(t, SPACE_VIRTUAL, "marker", 0x2000, 0x2000, KIND_GUARD);
    add(t, SPACE_VIRTUAL, "after", 0x2000, 0x2800, KIND_DATA);
    add(t, SPACE_VIRTUAL, "gap-mark", 0x2900, 0x2900, KIND_GUARD);
    add(t, SPACE_VIRTUAL, "at-end", 0x3000, 0x3000, KIND_GUARD);

    CHECK_INT_EQ(check_table(t), 0);
    /* An empty range sits inside what holds its address, or touches it at
     * its start; one at a region's end is outside it. */
    CHECK_PARENT(t, SPACE_VIRTUAL, "after", "box", 1);
    CHECK_PARENT(t, SPACE_VIRTUAL, "marker", "after", 2);
    CHECK_PARENT(t, SPACE_VIRTUAL, "gap-mark", "box", 1);
    CHECK_PARENT(t, SPACE_VIRTUAL, "at-end", "-", 0);

    /* An empty region holds no address. */
    CHECK_STR_EQ(found(t, SPACE_VIRTUAL, 0x2000), "after");
    CHECK_STR_EQ(found(t, SPACE_VIRTUAL, 0x3000), NULL);
}

static void partial_overlap(void)
{
    struct region_table *t = fresh();
    add(t, SPACE_PHYSICAL, "a", 0x1000, 0x3000, KIND_DATA);
    add(t, SPACE_PHYSICAL, "b", 0x2000, 0x4000, KIND_DATA);
    add(t, SPACE_PHYSICAL, "touching", 0x4000, 0x5000, KIND_DATA);
    add(t, SPACE_VIRTUAL, "same-numbers", 0x2800, 0x3800, KIND_DATA);

    CHECK_INT_EQ(check_table(t), 1);
    REQUIRE_INT_EQ(report_count, 1);
    CHECK_STR_EQ(reports[0].a.name, "a");
    CHECK_STR_EQ(reports[0].b.name, "b");
    /* The one that overlaps is not made a child. */
    CHECK_PARENT(t, SPACE_PHYSICAL, "b", "-", 0);

    /* Without a callback the count is the same. */
    CHECK_INT_EQ(region_table_check(t, NULL), 1);
}

/* Every partly overlapping pair of the table, counted once. */
static unsigned brute_overlaps(const struct region_table *t)
{
    unsigned n = 0;
    for (unsigned i = 0; i < t->count; i++)
        for (unsigned j = i + 1; j < t->count; j++) {
            const struct region *a = &t->r[i], *b = &t->r[j];
            if (a->space != b->space)
                continue;
            bool meet = a->start < b->end && b->start < a->end;
            bool a_in_b = b->start <= a->start && a->end <= b->end;
            bool b_in_a = a->start <= b->start && b->end <= a->end;
            if (meet && !a_in_b && !b_in_a)
                n++;
        }
    return n;
}

/* True when the pair (x, y) was reported exactly once, in either order. */
static unsigned times_reported(const char *x, const char *y)
{
    unsigned n = 0;
    for (unsigned i = 0; i < report_count && i < REPORTS_MAX; i++)
        if ((!strcmp(reports[i].a.name, x) && !strcmp(reports[i].b.name, y)) ||
            (!strcmp(reports[i].a.name, y) && !strcmp(reports[i].b.name, x)))
            n++;
    return n;
}

static void overlap_pairs_all_reported(void)
{
    /* b overlaps a; c sits inside b but also overlaps a; d overlaps b and c. */
    struct region_table *t = fresh();
    add(t, SPACE_VIRTUAL, "a", 0, 10, KIND_DATA);
    add(t, SPACE_VIRTUAL, "b", 5, 20, KIND_DATA);
    add(t, SPACE_VIRTUAL, "c", 8, 12, KIND_DATA);
    add(t, SPACE_VIRTUAL, "d", 11, 30, KIND_DATA);

    CHECK_INT_EQ(check_table(t), 4);
    CHECK_INT_EQ(report_count, 4);
    CHECK_INT_EQ(times_reported("a", "b"), 1);
    CHECK_INT_EQ(times_reported("a", "c"), 1);
    CHECK_INT_EQ(times_reported("b", "d"), 1);
    CHECK_INT_EQ(times_reported("c", "d"), 1);
    CHECK_INT_EQ(times_reported("b", "c"), 0);     /* nested: fine */
    CHECK_PARENT(t, SPACE_VIRTUAL, "c", "b", 1);
}

/* Random tables against a brute-force count of the partly overlapping pairs. */
static void overlap_random_tables(void)
{
    rng_state = 12345;
    char name[16];
    for (int round = 0; round < 200; round++) {
        struct region_table *t = fresh();
        unsigned n = 2 + rng() % 40;
        for (unsigned i = 0; i < n; i++) {
            uint64_t s = rng() % 64, len = rng() % 24;
            snprintf(name, sizeof name, "r%u", i);
            add(t, (enum region_space)(rng() % 2), name, s, s + len,
                (enum region_kind)(rng() % KIND_COUNT));
        }
        unsigned got = check_table(t);
        unsigned want = brute_overlaps(t);
        if (!CHECK_INT_EQ(got, want) || !CHECK_INT_EQ(report_count, got) ||
            !CHECK(table_sorted(t))) {
            printf("  round %d\n", round);
            return;
        }
        /* Each report is a real partial overlap, and no pair comes twice. */
        for (unsigned i = 0; i < report_count; i++) {
            const struct region *a = &reports[i].a, *b = &reports[i].b;
            bool partial = a->space == b->space && a->start < b->end &&
                           b->start < a->end &&
                           !(a->start <= b->start && b->end <= a->end) &&
                           !(b->start <= a->start && a->end <= b->end);
            if (!CHECK(partial) || !CHECK_INT_EQ(times_reported(a->name, b->name), 1)) {
                printf("  round %d: %s, %s\n", round, a->name, b->name);
                return;
            }
        }
        /* A parent always contains its child. */
        for (unsigned i = 0; i < t->count; i++) {
            const struct region *r = &t->r[i];
            if (r->parent == REGION_NO_PARENT)
                continue;
            const struct region *p = &t->r[r->parent];
            if (!CHECK(p->start <= r->start && r->end <= p->end && p->space == r->space))
                return;
        }
    }
}

/* A random proper tree, added in a shuffled order: the parents come back. */
struct planned {
    uint64_t start, end;
    int parent;
};

static unsigned plan_count;
static struct planned plan[REGION_MAX];

static void plan_children(int parent, uint64_t lo, uint64_t hi, int depth)
{
    uint64_t cursor = lo;
    while (plan_count < REGION_MAX && depth < 5 && hi - cursor >= 8) {
        uint64_t s = cursor + rng() % ((hi - cursor) / 2);
        uint64_t e = s + 1 + rng() % (hi - s);
        if (s == lo && e == hi)
            e--;            /* strictly smaller than the parent */
        if (e <= s)
            break;
        int me = (int)plan_count++;
        plan[me] = (struct planned){ s, e, parent };
        plan_children(me, s, e, depth + 1);
        cursor = e;
        if (rng() % 3 == 0)
            break;
    }
}

static void nesting_random_trees(void)
{
    rng_state = 777;
    char name[16];
    for (int round = 0; round < 100; round++) {
        plan_count = 0;
        plan_children(-1, 0, 1 << 16, 0);
        unsigned order[REGION_MAX];
        for (unsigned i = 0; i < plan_count; i++)
            order[i] = i;
        for (unsigned i = plan_count; i > 1; i--) {
            unsigned j = rng() % i, tmp = order[i - 1];
            order[i - 1] = order[j];
            order[j] = tmp;
        }
        struct region_table *t = fresh();
        for (unsigned k = 0; k < plan_count; k++) {
            unsigned i = order[k];
            snprintf(name, sizeof name, "n%u", i);
            add(t, SPACE_PHYSICAL, name, plan[i].start, plan[i].end, KIND_DATA);
        }
        if (!CHECK_INT_EQ(check_table(t), 0) || !CHECK(table_sorted(t)))
            return;
        for (unsigned i = 0; i < plan_count; i++) {
            char want[16];
            snprintf(name, sizeof name, "n%u", i);
            if (plan[i].parent < 0)
                snprintf(want, sizeof want, "-");
            else
                snprintf(want, sizeof want, "n%d", plan[i].parent);
            if (!CHECK_STR_EQ(parent_name(t, named(t, SPACE_PHYSICAL, name)), want)) {
                printf("  round %d, region %s\n", round, name);
                return;
            }
        }
    }
}

/* ---- lookups ------------------------------------------------------------- */

static void find(void)
{
    struct region_table *t = fresh();
    add(t, SPACE_VIRTUAL, "kernel", 0xc0100000, 0xc0200000, KIND_IMAGE);
    add(t, SPACE_VIRTUAL, "text", 0xc0100000, 0xc0110000, KIND_CODE);
    add(t, SPACE_VIRTUAL, "inner", 0xc0104000, 0xc0105000, KIND_RODATA);
    add(t, SPACE_VIRTUAL, "bss", 0xc0150000, 0xc0160000, KIND_BSS);
    add(t, SPACE_PHYSICAL, "ram", 0x0, 0x8000000, KIND_RAM);
    CHECK_INT_EQ(check_table(t), 0);

    CHECK_STR_EQ(found(t, SPACE_VIRTUAL, 0xc0104800), "inner");
    CHECK_STR_EQ(found(t, SPACE_VIRTUAL, 0xc0100000), "text");
    CHECK_STR_EQ(found(t, SPACE_VIRTUAL, 0xc010ffff), "text");
    CHECK_STR_EQ(found(t, SPACE_VIRTUAL, 0xc0110000), "kernel");   /* text's end */
    CHECK_STR_EQ(found(t, SPACE_VIRTUAL, 0xc0155555), "bss");
    CHECK_STR_EQ(found(t, SPACE_VIRTUAL, 0xc01fffff), "kernel");

    CHECK_STR_EQ(found(t, SPACE_VIRTUAL, 0xc0200000), NULL);  /* end: outside */
    CHECK_STR_EQ(found(t, SPACE_VIRTUAL, 0xc00fffff), NULL);
    CHECK_STR_EQ(found(t, SPACE_VIRTUAL, 0), NULL);
    CHECK_STR_EQ(found(t, SPACE_VIRTUAL, UINT64_MAX), NULL);
    /* Only the space asked for. */
    CHECK_STR_EQ(found(t, SPACE_VIRTUAL, 0x1000), NULL);
    CHECK_STR_EQ(found(t, SPACE_PHYSICAL, 0x1000), "ram");
    CHECK_STR_EQ(found(t, SPACE_PHYSICAL, 0xc0104800), NULL);

    /* An empty table has nothing. */
    t = fresh();
    CHECK_INT_EQ(check_table(t), 0);
    CHECK_STR_EQ(found(t, SPACE_VIRTUAL, 0), NULL);
}

static void by_name(void)
{
    struct region_table *t = fresh();
    add(t, SPACE_VIRTUAL, "kernel", 0xc0100000, 0xc0200000, KIND_IMAGE);
    add(t, SPACE_PHYSICAL, "kernel", 0x100000, 0x200000, KIND_IMAGE);
    add(t, SPACE_PHYSICAL, "ram", 0x0, 0x8000000, KIND_RAM);
    CHECK_INT_EQ(check_table(t), 0);

    const struct region *v = region_by_name(t, SPACE_VIRTUAL, "kernel");
    const struct region *p = region_by_name(t, SPACE_PHYSICAL, "kernel");
    REQUIRE(v != NULL && p != NULL);
    CHECK_HEX_EQ(v->start, 0xc0100000);
    CHECK_HEX_EQ(p->start, 0x100000);
    CHECK(region_by_name(t, SPACE_VIRTUAL, "ram") == NULL);
    CHECK(region_by_name(t, SPACE_PHYSICAL, "ra") == NULL);
    CHECK(region_by_name(t, SPACE_PHYSICAL, "ram2") == NULL);
    CHECK(region_by_name(t, SPACE_PHYSICAL, "") == NULL);
}

static void perm_and_space_names(void)
{
    char buf[4];
    memset(buf, 'Z', sizeof buf);
    CHECK(region_perm_str(0, buf) == buf);
    CHECK_STR_EQ(buf, "---");
    CHECK_STR_EQ(region_perm_str(PERM_R, buf), "r--");
    CHECK_STR_EQ(region_perm_str(PERM_W, buf), "-w-");
    CHECK_STR_EQ(region_perm_str(PERM_X, buf), "--x");
    CHECK_STR_EQ(region_perm_str(PERM_R | PERM_W, buf), "rw-");
    CHECK_STR_EQ(region_perm_str(PERM_R | PERM_X, buf), "r-x");
    CHECK_STR_EQ(region_perm_str(PERM_R | PERM_W | PERM_X, buf), "rwx");
    CHECK_STR_EQ(region_space_name(SPACE_VIRTUAL), "virtual");
    CHECK_STR_EQ(region_space_name(SPACE_PHYSICAL), "physical");
}

static const struct check_test tests[] = {
    TEST(add_fields),
    TEST(add_table_full),
    TEST(sort_order),
    TEST(nesting),
    TEST(equal_ranges),
    TEST(zero_size_regions),
    TEST(partial_overlap),
    TEST(overlap_pairs_all_reported),
    TEST(overlap_random_tables),
    TEST(nesting_random_trees),
    TEST(find),
    TEST(by_name),
    TEST(perm_and_space_names),
};

CHECK_MAIN(tests)
