/*
 * test_diagram.c - kernel/atlas/diagram.c, the atlas diagram drawn from a
 * region table: the walk, highest address first, that enters and leaves each
 * region and names the gaps between them ("(not mapped)", "(padding)",
 * "(free)", ...), and the text drawing - one box whose lines all end in the
 * same column, with every region's name, bounds, size and permissions. The
 * region table itself is tested in test_region.c.
 */
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "region_fixture.h"
#include "atlas/diagram.h"

/*
 * A small atlas:
 *   virtual:  vga [c00b8000, c00c0000), kernel [c0100000, c0110000) holding
 *             text [c0100000, c0104000) and data [c0106000, c0108000)
 *   physical: ram [0, 200000) holding kernel [100000, 110000);
 *             rom [f0000000, f0010000) on its own
 */
static struct region_table *small_atlas(void)
{
    struct region_table *t = fresh();
    region_add(t, SPACE_VIRTUAL, "vga", 0xc00b8000, 0xc00c0000, 0xb8000,
               PERM_R | PERM_W, KIND_DEVICE, "text screen");
    region_add(t, SPACE_VIRTUAL, "kernel", 0xc0100000, 0xc0110000, 0x100000,
               PERM_R | PERM_W | PERM_X, KIND_IMAGE, "the image");
    region_add(t, SPACE_VIRTUAL, "text", 0xc0100000, 0xc0104000, 0x100000,
               PERM_R | PERM_X, KIND_CODE, "code");
    region_add(t, SPACE_VIRTUAL, "data", 0xc0106000, 0xc0108000, 0x106000,
               PERM_R | PERM_W, KIND_DATA, "variables");
    region_add(t, SPACE_PHYSICAL, "ram", 0x0, 0x200000, REGION_NO_PHYS,
               PERM_R | PERM_W | PERM_X, KIND_RAM, "memory");
    region_add(t, SPACE_PHYSICAL, "kernel", 0x100000, 0x110000, 0x100000,
               PERM_R | PERM_W | PERM_X, KIND_IMAGE, "the image");
    region_add(t, SPACE_PHYSICAL, "rom", 0xf0000000, 0xf0010000, 0xf0000000,
               PERM_R, KIND_FIRMWARE, "firmware");
    CHECK_INT_EQ(region_table_check(t, NULL), 0);
    return t;
}

struct walked {
    bool is_gap, leaving;
    char name[REGION_NAME_MAX];     /* the region's, or the gap's label */
    char parent[REGION_NAME_MAX];   /* a gap's parent, or "-" */
    uint64_t start, end;
    int depth;
};

#define WALK_MAX 64
static struct walked walk_items[WALK_MAX];
static unsigned walk_count;

static void walk_collect(void *ctx, const struct diagram_item *it, bool leaving)
{
    (void)ctx;
    if (walk_count < WALK_MAX) {
        struct walked *w = &walk_items[walk_count];
        w->is_gap = it->is_gap;
        w->leaving = leaving;
        snprintf(w->name, sizeof w->name, "%s",
                 it->is_gap ? it->label : it->region->name);
        snprintf(w->parent, sizeof w->parent, "%s",
                 it->is_gap && it->region ? it->region->name : "-");
        w->start = it->start;
        w->end = it->end;
        w->depth = it->depth;
    }
    walk_count++;
}

struct want_item {
    char what;              /* 'g' gap, 'e' entering a region, 'l' leaving it */
    const char *name;       /* region name or gap label */
    uint64_t start, end;
    int depth;
    const char *parent;     /* for gaps: the region they are in, or "-" */
};

static void walk_eq(const char *file, int line, const struct want_item *want,
                    unsigned n)
{
    if (!check_int_eq(file, line, walk_count, n, "items walked", "expected")) {
        for (unsigned i = 0; i < walk_count && i < WALK_MAX; i++)
            printf("  %s %s [%llx, %llx) depth %d\n",
                   walk_items[i].is_gap ? "gap" : walk_items[i].leaving ? "leave" : "enter",
                   walk_items[i].name, (unsigned long long)walk_items[i].start,
                   (unsigned long long)walk_items[i].end, walk_items[i].depth);
        return;
    }
    for (unsigned i = 0; i < n; i++) {
        const struct walked *w = &walk_items[i];
        const struct want_item *e = &want[i];
        char what = w->is_gap ? 'g' : w->leaving ? 'l' : 'e';
        if (what != e->what || strcmp(w->name, e->name) != 0 ||
            w->start != e->start || w->end != e->end || w->depth != e->depth ||
            (e->what == 'g' && strcmp(w->parent, e->parent) != 0)) {
            check_fail(file, line,
                       "item %u: got %c %s [%llx, %llx) depth %d in %s, "
                       "want %c %s [%llx, %llx) depth %d in %s", i, what, w->name,
                       (unsigned long long)w->start, (unsigned long long)w->end,
                       w->depth, w->parent, e->what, e->name,
                       (unsigned long long)e->start, (unsigned long long)e->end,
                       e->depth, e->parent ? e->parent : "-");
            return;
        }
    }
}

#define WALK_EQ(want) walk_eq(__FILE__, __LINE__, want, sizeof want / sizeof *want)

/* Walks one space of t, collecting what diagram_walk reports. */
static void walk(const struct region_table *t, enum region_space space)
{
    walk_count = 0;
    diagram_walk(t, space, walk_collect, NULL);
}

static void walk_virtual(void)
{
    struct region_table *t = small_atlas();
    CHECK_HEX_EQ(diagram_space_top(t, SPACE_VIRTUAL), 0x100000000ULL);
    walk(t, SPACE_VIRTUAL);

    static const struct want_item want[] = {
        { 'g', "(not mapped)", 0xc0110000, 0x100000000ULL, 0, "-" },
        { 'e', "kernel", 0xc0100000, 0xc0110000, 0, NULL },
        { 'g', "(padding)", 0xc0108000, 0xc0110000, 1, "kernel" },
        { 'e', "data", 0xc0106000, 0xc0108000, 1, NULL },
        { 'l', "data", 0xc0106000, 0xc0108000, 1, NULL },
        { 'g', "(padding)", 0xc0104000, 0xc0106000, 1, "kernel" },
        { 'e', "text", 0xc0100000, 0xc0104000, 1, NULL },
        { 'l', "text", 0xc0100000, 0xc0104000, 1, NULL },
        { 'l', "kernel", 0xc0100000, 0xc0110000, 0, NULL },
        { 'g', "(not mapped)", 0xc00c0000, 0xc0100000, 0, "-" },
        { 'e', "vga", 0xc00b8000, 0xc00c0000, 0, NULL },    /* no gap inside */
        { 'l', "vga", 0xc00b8000, 0xc00c0000, 0, NULL },
        { 'g', "(not mapped)", 0x0, 0xc00b8000, 0, "-" },
    };
    WALK_EQ(want);
}

static void walk_physical(void)
{
    struct region_table *t = small_atlas();
    CHECK_HEX_EQ(diagram_space_top(t, SPACE_PHYSICAL), 0xf0010000);
    walk(t, SPACE_PHYSICAL);

    static const struct want_item want[] = {
        { 'e', "rom", 0xf0000000, 0xf0010000, 0, NULL },
        { 'l', "rom", 0xf0000000, 0xf0010000, 0, NULL },
        { 'g', "(nothing here)", 0x200000, 0xf0000000, 0, "-" },
        { 'e', "ram", 0x0, 0x200000, 0, NULL },
        { 'g', "(free)", 0x110000, 0x200000, 1, "ram" },
        { 'e', "kernel", 0x100000, 0x110000, 1, NULL },
        { 'l', "kernel", 0x100000, 0x110000, 1, NULL },
        { 'g', "(free)", 0x0, 0x100000, 1, "ram" },
        { 'l', "ram", 0x0, 0x200000, 0, NULL },
    };
    WALK_EQ(want);
}

static void walk_other_gap_labels(void)
{
    struct region_table *t = fresh();
    add(t, SPACE_VIRTUAL, "window", 0x0, 0x10000, KIND_WINDOW);
    add(t, SPACE_VIRTUAL, "inside", 0x4000, 0x8000, KIND_DEVICE);
    CHECK_INT_EQ(region_table_check(t, NULL), 0);
    walk(t, SPACE_VIRTUAL);

    static const struct want_item want[] = {
        { 'g', "(not mapped)", 0x10000, 0x100000000ULL, 0, "-" },
        { 'e', "window", 0x0, 0x10000, 0, NULL },
        { 'g', "(unused)", 0x8000, 0x10000, 1, "window" },
        { 'e', "inside", 0x4000, 0x8000, 1, NULL },
        { 'l', "inside", 0x4000, 0x8000, 1, NULL },
        { 'g', "(unused)", 0x0, 0x4000, 1, "window" },
        { 'l', "window", 0x0, 0x10000, 0, NULL },
    };
    WALK_EQ(want);

    /* Nothing at all: the whole space is one gap; physical has no size. */
    t = fresh();
    CHECK_INT_EQ(diagram_space_top(t, SPACE_PHYSICAL), 0);
    walk(t, SPACE_VIRTUAL);
    static const struct want_item empty[] = {
        { 'g', "(not mapped)", 0x0, 0x100000000ULL, 0, "-" },
    };
    WALK_EQ(empty);
    walk(t, SPACE_PHYSICAL);
    CHECK_INT_EQ(walk_count, 0);
}

/* The drawing, collected into one string. */
#define TEXT_MAX 16384
static char text[TEXT_MAX];
static size_t text_len;

static void text_sink(void *ctx, char c)
{
    (void)ctx;
    if (text_len + 1 < TEXT_MAX)
        text[text_len] = c;
    text_len++;
}

/* Draws one space of t into text[]; false when nothing was drawn or the
 * drawing did not fit. */
static bool draw(const struct region_table *t, enum region_space space)
{
    text_len = 0;
    diagram_text(t, space, text_sink, NULL);
    text[text_len < TEXT_MAX ? text_len : TEXT_MAX - 1] = '\0';
    return text_len > 0 && text_len < TEXT_MAX;
}

/* Checks the box lines all end at the same column; returns the line count. */
static unsigned check_box_widths(void)
{
    unsigned lines = 0;
    long width = -1;
    const char *line = text;
    while (*line) {
        const char *nl = strchr(line, '\n');
        if (!CHECK(nl != NULL))     /* every line ends with a newline */
            break;
        /* The box ends at the last '|' or '+' before any notes. */
        long last = -1;
        for (const char *p = line; p < nl; p++)
            if (*p == '|' || *p == '+')
                last = p - line;
        if (!CHECK(last > 0)) {
            printf("  line: %.*s\n", (int)(nl - line), line);
            break;
        }
        if (width < 0)
            width = last;
        if (!CHECK_INT_EQ(last, width)) {
            printf("  line: %.*s\n", (int)(nl - line), line);
            break;
        }
        lines++;
        line = nl + 1;
    }
    return lines;
}

static bool has_addr(uint64_t addr)
{
    char buf[32];
    snprintf(buf, sizeof buf, "0x%08llx ", (unsigned long long)addr);
    if (strstr(text, buf))
        return true;
    printf("  address %s missing\n", buf);
    return false;
}

/* Every region of the space is in the drawing: its name and both bounds. */
static void check_regions_drawn(const struct region_table *t, enum region_space space)
{
    for (unsigned i = 0; i < t->count; i++) {
        const struct region *r = &t->r[i];
        if (r->space != space)
            continue;
        CHECK_CONTAINS(text, r->name);
        CHECK(has_addr(r->start));
        CHECK(has_addr(r->end));
    }
}

static void text_virtual(void)
{
    struct region_table *t = small_atlas();
    REQUIRE(draw(t, SPACE_VIRTUAL));
    CHECK(text[text_len - 1] == '\n');
    CHECK(check_box_widths() >= 13);

    check_regions_drawn(t, SPACE_VIRTUAL);
    CHECK(has_addr(0x100000000ULL));
    CHECK(has_addr(0));
    CHECK_CONTAINS(text, "(not mapped)");
    CHECK_CONTAINS(text, "(padding)");
    CHECK_CONTAINS(text, "r-x");
    CHECK_CONTAINS(text, "16 KiB");
    /* A virtual region mapped elsewhere shows its physical address. */
    CHECK_CONTAINS(text, "phys 0x00100000  the image");
    CHECK_CONTAINS(text, "variables");

    /* Highest first. */
    char *kernel = strstr(text, "| kernel"), *data = strstr(text, "| data");
    char *textr = strstr(text, "| text"), *vga = strstr(text, "| vga");
    CHECK(kernel && data && textr && vga);
    CHECK(kernel < data && data < textr && textr < vga);
    /* Nothing physical in the virtual drawing. */
    CHECK(strstr(text, "| ram") == NULL);
}

static void text_physical(void)
{
    struct region_table *t = small_atlas();
    REQUIRE(draw(t, SPACE_PHYSICAL));
    CHECK(check_box_widths() >= 9);
    check_regions_drawn(t, SPACE_PHYSICAL);
    CHECK_CONTAINS(text, "(free)");
    CHECK_CONTAINS(text, "(nothing here)");
    /* A physical region with a virtual twin shows where it is mapped. */
    CHECK_CONTAINS(text, "virt 0xc0100000  the image");
    CHECK(strstr(text, "| vga") == NULL);
}

/* Deeper nesting and a region above 4 GiB keep the box straight. */
static void text_deep_and_wide(void)
{
    struct region_table *t = fresh();
    add(t, SPACE_PHYSICAL, "ram-high", 0x100000000ULL, 0x180000000ULL, KIND_RAM);
    add(t, SPACE_PHYSICAL, "level1", 0x100000000ULL, 0x140000000ULL, KIND_RESERVED);
    add(t, SPACE_PHYSICAL, "level2", 0x110000000ULL, 0x120000000ULL, KIND_IMAGE);
    add(t, SPACE_PHYSICAL, "level3", 0x118000000ULL, 0x119000000ULL, KIND_DATA);
    add(t, SPACE_PHYSICAL, "low", 0x0, 0x9fc00, KIND_RAM);
    CHECK_INT_EQ(region_table_check(t, NULL), 0);
    REQUIRE(draw(t, SPACE_PHYSICAL));
    check_box_widths();
    CHECK(has_addr(0x180000000ULL));
    CHECK(has_addr(0x118000000ULL));
    CHECK(has_addr(0x9fc00));
    CHECK_CONTAINS(text, "level3");
    CHECK_CONTAINS(text, "639 KiB");
}


static const struct check_test tests[] = {
    TEST(walk_virtual),
    TEST(walk_physical),
    TEST(walk_other_gap_labels),
    TEST(text_virtual),
    TEST(text_physical),
    TEST(text_deep_and_wide),
};

CHECK_MAIN(tests)
