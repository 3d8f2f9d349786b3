/*
 * test_vma.c - kernel/mm/vma.c: the map of a process's address space.
 *
 * Each test builds a small set and compares the whole of it, written out
 * by layout() one area after another, with what mmap, munmap, mprotect and
 * brk should have made; vma_check runs after every operation (SET_OK).
 */
#include <stdint.h>

#include "check.h"
#include "mm/vma.h"

#define PG(n)   ((uint32_t)(n) * PAGE_SIZE)
#define LO      PG(1)
#define HI      0xC0000000u
#define RW      (VMA_READ | VMA_WRITE)
#define RX      (VMA_READ | VMA_EXEC)
#define R       VMA_READ

static struct vma slots[64];
static struct vma_set set;
static char text[2048];

static void fresh(unsigned cap)
{
    memset(slots, 0xA5, sizeof slots);
    if (vma_init(&set, slots, cap, LO, HI) != 0)
        abort();
}

static struct vma area(uint32_t start, uint32_t end, uint8_t prot, uint8_t kind,
                       const char *name)
{
    struct vma a = { .start = start, .end = end, .prot = prot, .kind = kind };
    snprintf(a.name, sizeof a.name, "%s", name);
    return a;
}

static struct vma file(uint32_t start, uint32_t end, uint8_t prot, uint32_t base,
                       uint32_t size, const char *name)
{
    struct vma a = area(start, end, prot, VMA_FILE, name);
    a.file_base = base;
    a.file_size = size;
    return a;
}

static int add(struct vma a)
{
    return vma_insert(&set, &a);
}

/* The set, one area after another: "1000-3000 r-x file text @0+2000; ...". */
static const char *layout(void)
{
    static const char *kinds[] = { "anon", "file", "heap", "stack", "guard" };
    size_t n = 0;
    text[0] = '\0';
    for (unsigned i = 0; i < set.count && n < sizeof text; i++) {
        const struct vma *a = &set.v[i];
        n += snprintf(text + n, sizeof text - n, "%s%x-%x %c%c%c %s %s", i ? "; " : "",
                      a->start, a->end, a->prot & VMA_READ ? 'r' : '-',
                      a->prot & VMA_WRITE ? 'w' : '-', a->prot & VMA_EXEC ? 'x' : '-',
                      a->kind < VMA_KIND_COUNT ? kinds[a->kind] : "?", a->name);
        if (a->kind == VMA_FILE && n < sizeof text)
            n += snprintf(text + n, sizeof text - n, " @%x+%x", a->file_base, a->file_size);
    }
    return text;
}

#define SET_OK()        CHECK_STR_EQ(vma_check(&set), NULL)
#define LAYOUT(want)    do { SET_OK(); CHECK_STR_EQ(layout(), want); } while (0)
#define ERR(call, err)  CHECK_STR_EQ(vma_strerror(call), vma_strerror(err))

/* What vma_remove reported, in the same form. */
static char gone_text[512];

static void note_gone(void *ctx, const struct vma *p)
{
    size_t n = strlen(gone_text);
    CHECK(ctx == &set);
    snprintf(gone_text + n, sizeof gone_text - n, "%s%x-%x @%x+%x", n ? "; " : "", p->start,
             p->end, p->file_base, p->file_size);
}

static int remove_noting(uint32_t start, uint32_t len)
{
    gone_text[0] = '\0';
    return vma_remove(&set, start, len, note_gone, &set);
}

static void init_checks_its_arguments(void)
{
    struct vma_set s;
    CHECK_INT_EQ(vma_init(&s, slots, 4, PG(1), PG(2)), 0);
    CHECK_STR_EQ(vma_check(&s), NULL);
    ERR(vma_init(&s, slots, 4, 0x1001, PG(2)), -VMA_EINVAL);
    ERR(vma_init(&s, slots, 4, PG(1), 0x2001), -VMA_EINVAL);
    ERR(vma_init(&s, slots, 4, PG(2), PG(2)), -VMA_EINVAL);
    ERR(vma_init(&s, slots, 4, PG(3), PG(2)), -VMA_EINVAL);
    ERR(vma_init(&s, NULL, 4, PG(1), PG(2)), -VMA_EINVAL);
    ERR(vma_init(NULL, slots, 4, PG(1), PG(2)), -VMA_EINVAL);
    /* A failed init leaves a set that is valid and refuses everything. */
    CHECK_STR_EQ(vma_check(&s), NULL);
    struct vma a = area(PG(1), PG(2), R, VMA_ANON, "x");
    ERR(vma_insert(&s, &a), -VMA_ERANGE);
    CHECK_INT_EQ(vma_init(&s, NULL, 0, 0, 0xFFFFF000u), 0);
    a = area(0, PG(1), R, VMA_ANON, "x");
    ERR(vma_insert(&s, &a), -VMA_EFULL);
    CHECK_INT_EQ(s.count, 0);
}

static void insert_and_find(void)
{
    fresh(8);
    CHECK_INT_EQ(add(area(PG(0x20), PG(0x30), RW, VMA_ANON, "mmap")), 0);
    CHECK_INT_EQ(add(file(PG(0x10), PG(0x12), RX, 0, 0x1800, "text")), 0);
    CHECK_INT_EQ(add(area(PG(0x40), PG(0x41), RW, VMA_HEAP, "heap")), 0);
    LAYOUT("10000-12000 r-x file text @0+1800; 20000-30000 rw- anon mmap; "
           "40000-41000 rw- heap heap");
    CHECK(vma_find(&set, PG(0x10)) == &set.v[0]);
    CHECK(vma_find(&set, PG(0x12) - 1) == &set.v[0]);
    CHECK(vma_find(&set, PG(0x12)) == NULL);
    CHECK(vma_find(&set, PG(0x20) - 1) == NULL);
    CHECK(vma_find(&set, PG(0x2F) + 0xFFF) == &set.v[1]);
    CHECK(vma_find(&set, PG(0x40)) == &set.v[2]);
    CHECK(vma_find(&set, PG(0x41)) == NULL);
    CHECK(vma_find(&set, 0) == NULL);
    CHECK(vma_find(&set, 0xFFFFFFFFu) == NULL);
    fresh(8);
    CHECK(vma_find(&set, PG(0x10)) == NULL);     /* empty */
}

static void insert_refuses_overlap_and_leaves_the_set(void)
{
    fresh(8);
    CHECK_INT_EQ(add(area(PG(0x10), PG(0x20), RW, VMA_ANON, "a")), 0);
    const char *before = "10000-20000 rw- anon a";
    ERR(add(area(PG(0x10), PG(0x20), RW, VMA_ANON, "b")), -VMA_EOVERLAP);
    ERR(add(area(PG(0x8), PG(0x11), RW, VMA_ANON, "b")), -VMA_EOVERLAP);
    ERR(add(area(PG(0x1F), PG(0x28), RW, VMA_ANON, "b")), -VMA_EOVERLAP);
    ERR(add(area(PG(0x8), PG(0x28), RW, VMA_ANON, "b")), -VMA_EOVERLAP);
    ERR(add(area(PG(0x14), PG(0x15), RW, VMA_ANON, "b")), -VMA_EOVERLAP);
    LAYOUT(before);
    /* Touching on either side is not overlapping. */
    CHECK_INT_EQ(add(area(PG(0x8), PG(0x10), RW, VMA_ANON, "b")), 0);
    CHECK_INT_EQ(add(area(PG(0x20), PG(0x21), RW, VMA_ANON, "c")), 0);
    LAYOUT("8000-10000 rw- anon b; 10000-20000 rw- anon a; 20000-21000 rw- anon c");
}

static void insert_refuses_what_is_outside_the_range(void)
{
    fresh(8);
    ERR(add(area(0, PG(2), RW, VMA_ANON, "low")), -VMA_ERANGE);
    ERR(add(area(HI - PG(1), HI + PG(1), RW, VMA_ANON, "high")), -VMA_ERANGE);
    ERR(add(area(HI, HI + PG(1), RW, VMA_ANON, "kernel")), -VMA_ERANGE);
    LAYOUT("");
    CHECK_INT_EQ(add(area(LO, HI, RW, VMA_ANON, "all")), 0);
    LAYOUT("1000-c0000000 rw- anon all");
}

static void insert_refuses_bad_areas(void)
{
    fresh(8);
    ERR(add(area(0x10800, PG(0x20), RW, VMA_ANON, "a")), -VMA_EINVAL);
    ERR(add(area(PG(0x10), 0x20001, RW, VMA_ANON, "a")), -VMA_EINVAL);
    ERR(add(area(PG(0x10), PG(0x10), RW, VMA_ANON, "a")), -VMA_EINVAL);
    ERR(add(area(PG(0x20), PG(0x10), RW, VMA_ANON, "a")), -VMA_EINVAL);
    ERR(add(area(PG(0x10), PG(0x20), 8, VMA_ANON, "a")), -VMA_EINVAL);
    ERR(add(area(PG(0x10), PG(0x20), RW, VMA_KIND_COUNT, "a")), -VMA_EINVAL);
    ERR(add(area(PG(0x10), PG(0x20), R, VMA_GUARD, "guard")), -VMA_EINVAL);
    struct vma a = area(PG(0x10), PG(0x20), RW, VMA_ANON, "a");
    memset(a.name, 'n', sizeof a.name);
    ERR(add(a), -VMA_EINVAL);
    /* File offsets that would pass 4 GiB in the area's last page. */
    ERR(add(file(PG(0x10), PG(0x12), R, 0xFFFFF000u, 0, "f")), -VMA_EINVAL);
    ERR(vma_insert(&set, NULL), -VMA_EINVAL);
    LAYOUT("");
    CHECK_INT_EQ(add(file(PG(0x10), PG(0x12), R, 0xFFFFE000u, 0, "f")), 0);
    LAYOUT("10000-12000 r-- file f @ffffe000+0");
}

static void insert_keeps_a_clean_copy(void)
{
    fresh(8);
    struct vma a = area(PG(0x10), PG(0x12), RW, VMA_ANON, "data");
    a.file_base = 0x1234;                   /* meaningless for anon: cleared */
    a.file_size = 99;
    memcpy(a.name + 5, "junk", 5);          /* after the NUL: cleared */
    a.flags = 0xBEEF;                       /* the caller's: kept */
    struct vma copy = a;
    CHECK_INT_EQ(vma_insert(&set, &a), 0);
    CHECK(memcmp(&a, &copy, sizeof a) == 0);
    SET_OK();
    CHECK_INT_EQ(set.v[0].file_base, 0);
    CHECK_INT_EQ(set.v[0].file_size, 0);
    CHECK_INT_EQ(set.v[0].flags, 0xBEEF);
    for (unsigned k = 4; k < VMA_NAME_LEN; k++)
        CHECK_INT_EQ(set.v[0].name[k], 0);
    /* A file's size is cut to the area: the rest of the file is not in it. */
    CHECK_INT_EQ(add(file(PG(0x20), PG(0x22), R, 0x3000, 0x10000, "f")), 0);
    LAYOUT("10000-12000 rw- anon data; 20000-22000 r-- file f @3000+2000");
}

static void a_full_set_refuses_a_new_area_but_takes_a_merging_one(void)
{
    fresh(2);
    CHECK_INT_EQ(add(area(PG(0x10), PG(0x11), RW, VMA_ANON, "a")), 0);
    CHECK_INT_EQ(add(area(PG(0x20), PG(0x21), RW, VMA_ANON, "b")), 0);
    const char *before = "10000-11000 rw- anon a; 20000-21000 rw- anon b";
    ERR(add(area(PG(0x30), PG(0x31), RW, VMA_ANON, "c")), -VMA_EFULL);
    ERR(add(area(PG(0x11), PG(0x12), R, VMA_ANON, "a")), -VMA_EFULL);
    LAYOUT(before);
    CHECK_INT_EQ(add(area(PG(0x11), PG(0x12), RW, VMA_ANON, "a")), 0);
    CHECK_INT_EQ(add(area(PG(0x1F), PG(0x20), RW, VMA_ANON, "b")), 0);
    LAYOUT("10000-12000 rw- anon a; 1f000-21000 rw- anon b");
}

static void remove_splits_in_the_middle(void)
{
    fresh(8);
    CHECK_INT_EQ(add(file(PG(0x10), PG(0x20), RX, 0x4000, PG(0xC) + 0x123, "text")), 0);
    CHECK_INT_EQ(add(area(PG(0x30), PG(0x31), RW, VMA_ANON, "after")), 0);
    CHECK_INT_EQ(remove_noting(PG(0x14), PG(4)), 0);
    LAYOUT("10000-14000 r-x file text @4000+4000; 18000-20000 r-x file text @c000+4123; "
           "30000-31000 rw- anon after");
    CHECK_STR_EQ(gone_text, "14000-18000 @8000+4000");
    /* The bytes of each page that is left are those it had. */
    uint32_t off;
    CHECK_INT_EQ(vma_page_source(vma_find(&set, PG(0x1C)), PG(0x1C), &off), 0x123);
    CHECK_HEX_EQ(off, 0x10000);
    CHECK_INT_EQ(vma_page_source(vma_find(&set, PG(0x1D)), PG(0x1D), &off), 0);
}

static void remove_at_the_start_the_end_and_all(void)
{
    fresh(8);
    CHECK_INT_EQ(add(file(PG(0x10), PG(0x20), RW, 0, PG(6), "data")), 0);
    CHECK_INT_EQ(remove_noting(PG(0x10), PG(2)), 0);
    LAYOUT("12000-20000 rw- file data @2000+4000");
    CHECK_STR_EQ(gone_text, "10000-12000 @0+2000");
    CHECK_INT_EQ(remove_noting(PG(0x1E), PG(2)), 0);
    LAYOUT("12000-1e000 rw- file data @2000+4000");
    CHECK_STR_EQ(gone_text, "1e000-20000 @e000+0");
    CHECK_INT_EQ(remove_noting(PG(0), PG(0x100)), 0);
    LAYOUT("");
    CHECK_STR_EQ(gone_text, "12000-1e000 @2000+4000");
    /* Nothing mapped there: fine, and nothing gone. */
    CHECK_INT_EQ(remove_noting(PG(0x10), PG(0x10)), 0);
    CHECK_STR_EQ(gone_text, "");
}

static void remove_across_several_areas(void)
{
    fresh(8);
    CHECK_INT_EQ(add(area(PG(0x10), PG(0x18), RW, VMA_ANON, "a")), 0);
    CHECK_INT_EQ(add(area(PG(0x18), PG(0x1A), R, VMA_ANON, "b")), 0);
    CHECK_INT_EQ(add(area(PG(0x20), PG(0x28), RX, VMA_ANON, "c")), 0);
    CHECK_INT_EQ(add(area(PG(0x30), PG(0x38), RW, VMA_ANON, "d")), 0);
    CHECK_INT_EQ(remove_noting(PG(0x14), PG(0x22) - PG(0x14)), 0);
    LAYOUT("10000-14000 rw- anon a; 22000-28000 r-x anon c; 30000-38000 rw- anon d");
    CHECK_STR_EQ(gone_text, "14000-18000 @0+0; 18000-1a000 @0+0; 20000-22000 @0+0");
    /* len is rounded up to whole pages, as munmap's. */
    CHECK_INT_EQ(remove_noting(PG(0x30), 1), 0);
    LAYOUT("10000-14000 rw- anon a; 22000-28000 r-x anon c; 31000-38000 rw- anon d");
}

static void remove_refuses_bad_ranges(void)
{
    fresh(8);
    CHECK_INT_EQ(add(area(PG(0x10), PG(0x18), RW, VMA_ANON, "a")), 0);
    ERR(remove_noting(PG(0x10) + 1, PG(1)), -VMA_EINVAL);
    ERR(remove_noting(PG(0x10), 0), -VMA_EINVAL);
    ERR(remove_noting(0xFFFFF000u, PG(2)), -VMA_EINVAL);
    ERR(remove_noting(0xFFFFF000u, 0xFFFFFFFFu), -VMA_EINVAL);
    LAYOUT("10000-18000 rw- anon a");
    CHECK_STR_EQ(gone_text, "");
    /* Up to 4 GiB exactly is a range, and unmaps nothing here. */
    CHECK_INT_EQ(remove_noting(0xFFFFF000u, PG(1)), 0);
    CHECK_INT_EQ(vma_remove(&set, PG(0x17), PG(1), NULL, NULL), 0);    /* no callback */
    LAYOUT("10000-17000 rw- anon a");
}

static void remove_that_needs_a_slot_fails_whole_when_full(void)
{
    fresh(2);
    CHECK_INT_EQ(add(area(PG(0x10), PG(0x18), RW, VMA_ANON, "a")), 0);
    CHECK_INT_EQ(add(area(PG(0x20), PG(0x28), RW, VMA_ANON, "b")), 0);
    const char *before = "10000-18000 rw- anon a; 20000-28000 rw- anon b";
    ERR(remove_noting(PG(0x12), PG(1)), -VMA_EFULL);
    LAYOUT(before);
    CHECK_STR_EQ(gone_text, "");        /* nothing reported for what did not happen */
    /* Cutting an end, or across both, needs no slot. */
    CHECK_INT_EQ(remove_noting(PG(0x16), PG(0x22) - PG(0x16)), 0);
    LAYOUT("10000-16000 rw- anon a; 22000-28000 rw- anon b");
}

static void protect_splits_and_merges_back(void)
{
    fresh(8);
    CHECK_INT_EQ(add(file(PG(0x10), PG(0x20), RW, 0x2000, PG(8), "data")), 0);
    CHECK_INT_EQ(add(area(PG(0x30), PG(0x31), RW, VMA_ANON, "after")), 0);
    CHECK_INT_EQ(vma_protect(&set, PG(0x14), PG(4), R), 0);
    LAYOUT("10000-14000 rw- file data @2000+4000; 14000-18000 r-- file data @6000+4000; "
           "18000-20000 rw- file data @a000+0; 30000-31000 rw- anon after");
    CHECK_INT_EQ(vma_remove(&set, PG(0x30), PG(1), NULL, NULL), 0);
    CHECK_INT_EQ(vma_protect(&set, PG(0x10), PG(0x10), 0), 0);
    LAYOUT("10000-20000 --- file data @2000+8000");
    CHECK_INT_EQ(vma_protect(&set, PG(0x1F), PG(1), RW), 0);
    LAYOUT("10000-1f000 --- file data @2000+8000; 1f000-20000 rw- file data @11000+0");
    CHECK_INT_EQ(vma_protect(&set, PG(0x10), PG(0xF), RW), 0);
    LAYOUT("10000-20000 rw- file data @2000+8000");
    /* The same permissions again: nothing to split. */
    CHECK_INT_EQ(vma_protect(&set, PG(0x12), PG(1), RW), 0);
    LAYOUT("10000-20000 rw- file data @2000+8000");
}

static void protect_across_areas_keeps_them_apart(void)
{
    fresh(8);
    CHECK_INT_EQ(add(area(PG(0x10), PG(0x14), RW, VMA_ANON, "a")), 0);
    CHECK_INT_EQ(add(area(PG(0x14), PG(0x18), RW, VMA_HEAP, "a")), 0);
    CHECK_INT_EQ(add(area(PG(0x18), PG(0x1C), RW, VMA_ANON, "b")), 0);
    CHECK_INT_EQ(vma_protect(&set, PG(0x12), PG(0x1A) - PG(0x12), RX), 0);
    LAYOUT("10000-12000 rw- anon a; 12000-14000 r-x anon a; 14000-18000 r-x heap a; "
           "18000-1a000 r-x anon b; 1a000-1c000 rw- anon b");
}

static void protect_over_a_hole_changes_nothing(void)
{
    fresh(8);
    CHECK_INT_EQ(add(area(PG(0x10), PG(0x14), RW, VMA_ANON, "a")), 0);
    CHECK_INT_EQ(add(area(PG(0x15), PG(0x18), RW, VMA_ANON, "b")), 0);
    const char *before = "10000-14000 rw- anon a; 15000-18000 rw- anon b";
    ERR(vma_protect(&set, PG(0x12), PG(4), R), -VMA_ENOMEM);
    ERR(vma_protect(&set, PG(0x16), PG(4), R), -VMA_ENOMEM);
    ERR(vma_protect(&set, PG(0xF), PG(2), R), -VMA_ENOMEM);
    ERR(vma_protect(&set, PG(0x30), PG(1), R), -VMA_ENOMEM);
    ERR(vma_protect(&set, PG(0x10), PG(1), 8), -VMA_EINVAL);
    ERR(vma_protect(&set, PG(0x10) + 4, PG(1), R), -VMA_EINVAL);
    ERR(vma_protect(&set, PG(0x10), 0, R), -VMA_EINVAL);
    ERR(vma_protect(&set, 0xFFFFF000u, PG(2), R), -VMA_EINVAL);
    LAYOUT(before);
    CHECK_INT_EQ(vma_protect(&set, PG(0x15), PG(3), R), 0);     /* exactly b */
    LAYOUT("10000-14000 rw- anon a; 15000-18000 r-- anon b");
}

static void protect_keeps_guards_closed(void)
{
    fresh(8);
    CHECK_INT_EQ(add(area(PG(0x10), PG(0x11), 0, VMA_GUARD, "guard")), 0);
    CHECK_INT_EQ(add(area(PG(0x11), PG(0x20), RW, VMA_STACK, "stack")), 0);
    ERR(vma_protect(&set, PG(0x10), PG(2), RW), -VMA_EACCES);
    ERR(vma_protect(&set, PG(0x10), PG(1), R), -VMA_EACCES);
    LAYOUT("10000-11000 --- guard guard; 11000-20000 rw- stack stack");
    CHECK_INT_EQ(vma_protect(&set, PG(0x10), PG(2), 0), 0);
    LAYOUT("10000-11000 --- guard guard; 11000-12000 --- stack stack; "
           "12000-20000 rw- stack stack");
}

static void protect_counts_slots_after_merging(void)
{
    fresh(3);
    CHECK_INT_EQ(add(area(PG(0x10), PG(0x14), R, VMA_ANON, "m")), 0);
    CHECK_INT_EQ(add(area(PG(0x14), PG(0x18), RW, VMA_ANON, "m")), 0);
    CHECK_INT_EQ(add(area(PG(0x18), PG(0x1C), R, VMA_ANON, "m")), 0);
    /* Two cuts, but the middle merges into one: still three areas. */
    CHECK_INT_EQ(vma_protect(&set, PG(0x12), PG(0x1A) - PG(0x12), RW), 0);
    LAYOUT("10000-12000 r-- anon m; 12000-1a000 rw- anon m; 1a000-1c000 r-- anon m");
    /* A cut that makes a fourth area does not fit. */
    ERR(vma_protect(&set, PG(0x14), PG(1), RX), -VMA_EFULL);
    ERR(vma_protect(&set, PG(0x10), PG(1), RX), -VMA_EFULL);
    LAYOUT("10000-12000 r-- anon m; 12000-1a000 rw- anon m; 1a000-1c000 r-- anon m");
    CHECK_INT_EQ(vma_protect(&set, PG(0x10), PG(2), RW), 0);     /* merges: two */
    LAYOUT("10000-1a000 rw- anon m; 1a000-1c000 r-- anon m");
    /* The first pages of an area taking the permissions of the one below. */
    CHECK_INT_EQ(vma_protect(&set, PG(0x1A), PG(1), RW), 0);
    LAYOUT("10000-1b000 rw- anon m; 1b000-1c000 r-- anon m");
}

static void find_gap_goes_top_down(void)
{
    fresh(8);
    uint32_t at = 0;
    CHECK_INT_EQ(vma_find_gap(&set, PG(4), HI, &at), 0);
    CHECK_HEX_EQ(at, HI - PG(4));
    CHECK_INT_EQ(vma_find_gap(&set, 1, HI, &at), 0);             /* whole pages */
    CHECK_HEX_EQ(at, HI - PG(1));
    CHECK_INT_EQ(vma_find_gap(&set, PG(4), 0xFFFFFFFFu, &at), 0); /* hi caps it */
    CHECK_HEX_EQ(at, HI - PG(4));
    CHECK_INT_EQ(vma_find_gap(&set, PG(4), PG(0x20) + 0x123, &at), 0);
    CHECK_HEX_EQ(at, PG(0x1C));                                  /* below, page down */

    CHECK_INT_EQ(add(area(PG(0x30), PG(0x40), RW, VMA_ANON, "top")), 0);
    CHECK_INT_EQ(add(area(PG(0x20), PG(0x2E), RW, VMA_ANON, "mid")), 0);
    CHECK_INT_EQ(add(area(PG(0x10), PG(0x18), RW, VMA_ANON, "low")), 0);
    /* Holes: [0x2E, 0x30) of 2 pages, [0x18, 0x20) of 8, [1, 0x10) of 15. */
    CHECK_INT_EQ(vma_find_gap(&set, PG(2), PG(0x40), &at), 0);
    CHECK_HEX_EQ(at, PG(0x2E));                                  /* exact fit */
    CHECK_INT_EQ(vma_find_gap(&set, PG(3), PG(0x40), &at), 0);
    CHECK_HEX_EQ(at, PG(0x1D));                                  /* a hole's top */
    CHECK_INT_EQ(vma_find_gap(&set, PG(8), PG(0x40), &at), 0);
    CHECK_HEX_EQ(at, PG(0x18));
    CHECK_INT_EQ(vma_find_gap(&set, PG(9), PG(0x40), &at), 0);
    CHECK_HEX_EQ(at, PG(0x7));
    CHECK_INT_EQ(vma_find_gap(&set, PG(15), PG(0x40), &at), 0);
    CHECK_HEX_EQ(at, PG(0x1));                                   /* down to lo */
    at = 0x5A5A;
    ERR(vma_find_gap(&set, PG(16), PG(0x40), &at), -VMA_ENOMEM);
    CHECK_HEX_EQ(at, 0x5A5A);                                    /* untouched */
    /* below in the middle of a hole: the hole's part under it. */
    CHECK_INT_EQ(vma_find_gap(&set, PG(2), PG(0x1B), &at), 0);
    CHECK_HEX_EQ(at, PG(0x19));
    /* below inside an area: the holes under that area. */
    CHECK_INT_EQ(vma_find_gap(&set, PG(2), PG(0x34), &at), 0);
    CHECK_HEX_EQ(at, PG(0x2E));
    SET_OK();
}

static void find_gap_never_wraps(void)
{
    uint32_t at = 0x5A5A;
    /* The bottom: lo is 0, and nothing may start below it. */
    CHECK_INT_EQ(vma_init(&set, slots, 8, 0, 0xFFFFF000u), 0);
    CHECK_INT_EQ(add(area(PG(1), 0xFFFFF000u, RW, VMA_ANON, "all")), 0);
    CHECK_INT_EQ(vma_find_gap(&set, PG(1), 0xFFFFFFFFu, &at), 0);
    CHECK_HEX_EQ(at, 0);
    ERR(vma_find_gap(&set, PG(2), 0xFFFFFFFFu, &at), -VMA_ENOMEM);
    ERR(vma_find_gap(&set, PG(1), 0xFFF, &at), -VMA_ENOMEM);    /* below is page 0 */
    /* The top: a range ending at hi, just under 4 GiB. */
    CHECK_INT_EQ(vma_remove(&set, 0, 0xFFFFF000u, NULL, NULL), 0);
    CHECK_INT_EQ(vma_find_gap(&set, PG(2), 0xFFFFFFFFu, &at), 0);
    CHECK_HEX_EQ(at, 0xFFFFD000u);
    CHECK_INT_EQ(vma_find_gap(&set, 0xFFFFF000u, 0xFFFFFFFFu, &at), 0);
    CHECK_HEX_EQ(at, 0);
    /* Lengths that round up past what there is, or to 4 GiB. */
    ERR(vma_find_gap(&set, 0xFFFFF001u, 0xFFFFFFFFu, &at), -VMA_ENOMEM);
    ERR(vma_find_gap(&set, 0xFFFFFFFFu, 0xFFFFFFFFu, &at), -VMA_ENOMEM);
    ERR(vma_find_gap(&set, 0, 0xFFFFFFFFu, &at), -VMA_EINVAL);
    ERR(vma_find_gap(&set, PG(1), 0xFFFFFFFFu, NULL), -VMA_EINVAL);
    /* below under lo. */
    CHECK_INT_EQ(vma_init(&set, slots, 8, PG(0x100), PG(0x200)), 0);
    ERR(vma_find_gap(&set, PG(1), PG(0x80), &at), -VMA_ENOMEM);
    ERR(vma_find_gap(&set, PG(1), PG(0x100), &at), -VMA_ENOMEM);
    CHECK_INT_EQ(vma_find_gap(&set, PG(1), PG(0x101), &at), 0);
    CHECK_HEX_EQ(at, PG(0x100));
}

static void resize_grows_and_shrinks_brk(void)
{
    fresh(8);
    CHECK_INT_EQ(add(area(PG(0x10), PG(0x11), RW, VMA_HEAP, "heap")), 0);
    CHECK_INT_EQ(add(area(PG(0x20), PG(0x21), RW, VMA_ANON, "mmap")), 0);
    CHECK_INT_EQ(vma_resize(&set, PG(0x10), PG(0x18)), 0);
    LAYOUT("10000-18000 rw- heap heap; 20000-21000 rw- anon mmap");
    CHECK_INT_EQ(vma_resize(&set, PG(0x10), PG(0x12)), 0);
    LAYOUT("10000-12000 rw- heap heap; 20000-21000 rw- anon mmap");
    ERR(vma_resize(&set, PG(0x10), PG(0x21)), -VMA_EOVERLAP);
    ERR(vma_resize(&set, PG(0x10), 0x13000 + 1), -VMA_EINVAL);
    ERR(vma_resize(&set, PG(0x11), PG(0x13)), -VMA_EINVAL);     /* no area starts there */
    ERR(vma_resize(&set, PG(0x30), PG(0x31)), -VMA_EINVAL);
    ERR(vma_resize(&set, PG(0x10), PG(0xF)), -VMA_EINVAL);
    ERR(vma_resize(&set, PG(0x20), HI + PG(1)), -VMA_ERANGE);
    LAYOUT("10000-12000 rw- heap heap; 20000-21000 rw- anon mmap");
    /* Up to the next area: they touch, but are not alike. */
    CHECK_INT_EQ(vma_resize(&set, PG(0x10), PG(0x20)), 0);
    LAYOUT("10000-20000 rw- heap heap; 20000-21000 rw- anon mmap");
    CHECK_INT_EQ(vma_resize(&set, PG(0x20), HI), 0);
    LAYOUT("10000-20000 rw- heap heap; 20000-c0000000 rw- anon mmap");
    CHECK_INT_EQ(vma_resize(&set, PG(0x10), PG(0x10)), 0);     /* brk back to its start */
    LAYOUT("20000-c0000000 rw- anon mmap");
}

static void resize_merges_with_a_like_neighbour(void)
{
    fresh(8);
    CHECK_INT_EQ(add(file(PG(0x10), PG(0x12), RW, 0, 0x1800, "data")), 0);
    CHECK_INT_EQ(add(file(PG(0x14), PG(0x16), RW, 0x4000, 0, "data")), 0);
    /* Grown, the first's new pages are zeroes; the second has no file bytes. */
    CHECK_INT_EQ(vma_resize(&set, PG(0x10), PG(0x14)), 0);
    LAYOUT("10000-16000 rw- file data @0+1800");
    CHECK_INT_EQ(vma_resize(&set, PG(0x10), PG(0x11)), 0);
    LAYOUT("10000-11000 rw- file data @0+1000");
    CHECK_INT_EQ(add(file(0x80000000u, 0x80001000u, R, 0xFFFFF000u, 0, "f")), 0);
    ERR(vma_resize(&set, 0x80000000u, 0x80002000u), -VMA_EINVAL);    /* offset > 4 GiB */
    SET_OK();
}

static void an_elf_segment_in_the_middle_of_a_page_splits_exactly(void)
{
    /* p_vaddr 0x0804af10, p_offset 0x1f10, filesz 0x2200, memsz 0x5000. */
    uint32_t vaddr = 0x0804af10u, offset = 0x1f10, filesz = 0x2200, memsz = 0x5000;
    uint32_t start = vaddr & ~(PAGE_SIZE - 1), end = (vaddr + memsz + PAGE_SIZE - 1) & ~0xFFFu;
    fresh(16);
    CHECK_INT_EQ(add(file(start, end, RW, offset - vaddr % PAGE_SIZE,
                          filesz + vaddr % PAGE_SIZE, "data")), 0);
    uint32_t want_bytes[8], want_off[8], n = (end - start) / PAGE_SIZE, off;
    for (uint32_t k = 0; k < n; k++)
        want_bytes[k] = vma_page_source(&set.v[0], start + PG(k), &want_off[k]);
    CHECK_INT_EQ(want_bytes[0], PAGE_SIZE);
    CHECK_HEX_EQ(want_off[0], 0x1000);
    CHECK_INT_EQ(want_bytes[2], PAGE_SIZE);
    CHECK_INT_EQ(want_bytes[3], (vaddr + filesz) % PAGE_SIZE);
    CHECK_HEX_EQ(want_off[3], 0x4000);
    CHECK_INT_EQ(want_bytes[4], 0);
    /* Every page its own permissions: each cut moves the offsets on. */
    for (uint32_t k = 0; k < n; k += 2)
        CHECK_INT_EQ(vma_protect(&set, start + PG(k), PG(1), R), 0);
    CHECK_INT_EQ(set.count, n);
    SET_OK();
    for (uint32_t k = 0; k < n; k++) {
        const struct vma *a = vma_find(&set, start + PG(k));
        REQUIRE(a != NULL);
        CHECK_INT_EQ(vma_page_source(a, start + PG(k), &off), want_bytes[k]);
        CHECK_HEX_EQ(off, want_off[k]);
    }
    /* And back to one area, byte for byte as it was. */
    CHECK_INT_EQ(vma_protect(&set, start, end - start, RW), 0);
    LAYOUT("804a000-8050000 rw- file data @1000+3110");
}

static void alike_neighbours_merge_and_others_do_not(void)
{
    fresh(16);
    CHECK_INT_EQ(add(area(PG(0x10), PG(0x11), RW, VMA_ANON, "mmap")), 0);
    CHECK_INT_EQ(add(area(PG(0x12), PG(0x13), RW, VMA_ANON, "mmap")), 0);
    CHECK_INT_EQ(add(area(PG(0x11), PG(0x12), RW, VMA_ANON, "mmap")), 0);   /* both */
    LAYOUT("10000-13000 rw- anon mmap");
    CHECK_INT_EQ(add(area(PG(0x13), PG(0x14), R, VMA_ANON, "mmap")), 0);
    CHECK_INT_EQ(add(area(PG(0x14), PG(0x15), R, VMA_HEAP, "mmap")), 0);
    CHECK_INT_EQ(add(area(PG(0x15), PG(0x16), R, VMA_HEAP, "heap")), 0);
    struct vma flagged = area(PG(0x16), PG(0x17), R, VMA_HEAP, "heap");
    flagged.flags = 1;
    CHECK_INT_EQ(add(flagged), 0);
    LAYOUT("10000-13000 rw- anon mmap; 13000-14000 r-- anon mmap; 14000-15000 r-- heap mmap; "
           "15000-16000 r-- heap heap; 16000-17000 r-- heap heap");
    CHECK_INT_EQ(set.count, 5);
}

static void file_areas_merge_only_where_the_bytes_follow(void)
{
    fresh(16);
    CHECK_INT_EQ(add(file(PG(0x10), PG(0x12), R, 0x8000, PG(2), "f")), 0);
    CHECK_INT_EQ(add(file(PG(0x12), PG(0x13), R, 0xA000, 0x800, "f")), 0);
    LAYOUT("10000-13000 r-- file f @8000+2800");
    /* Offsets that do not follow on. */
    CHECK_INT_EQ(add(file(PG(0x13), PG(0x14), R, 0xC000, 0, "f")), 0);
    /* Zeroes after file bytes, then file bytes again: no single area says that. */
    CHECK_INT_EQ(add(file(PG(0x20), PG(0x21), R, 0, 0x800, "g")), 0);
    CHECK_INT_EQ(add(file(PG(0x21), PG(0x22), R, 0x1000, 0x10, "g")), 0);
    /* But zeroes after zeroes merge (a bss growing). */
    CHECK_INT_EQ(add(file(PG(0x22), PG(0x23), R, 0x2000, 0, "g")), 0);
    LAYOUT("10000-13000 r-- file f @8000+2800; 13000-14000 r-- file f @c000+0; "
           "20000-21000 r-- file g @0+800; 21000-23000 r-- file g @1000+10");
}

static void mmap_munmap_cycles_give_slots_back(void)
{
    fresh(4);
    CHECK_INT_EQ(add(area(PG(0x10), PG(0x20), RX, VMA_ANON, "text")), 0);
    uint32_t at;
    for (unsigned k = 0; k < 1000; k++) {
        uint32_t len = PG(1 + k % 7);
        REQUIRE_INT_EQ(vma_find_gap(&set, len, HI, &at), 0);
        REQUIRE_INT_EQ(add(area(at, at + len, RW, VMA_ANON, "mmap")), 0);
        REQUIRE_INT_EQ(vma_protect(&set, at, PG(1), R), 0);
        REQUIRE_INT_EQ(vma_protect(&set, at, PG(1), RW), 0);
        if (k % 3 == 2)
            REQUIRE_INT_EQ(vma_remove(&set, HI - PG(40), PG(40), NULL, NULL), 0);
        REQUIRE(vma_check(&set) == NULL);
        REQUIRE(set.count <= 2);
    }
    SET_OK();
}

static void a_stack_grows_down_by_inserting_below_it(void)
{
    fresh(8);
    CHECK_INT_EQ(add(area(HI - PG(0x20), HI - PG(0x1F), 0, VMA_GUARD, "guard")), 0);
    CHECK_INT_EQ(add(area(HI - PG(2), HI, RW, VMA_STACK, "stack")), 0);
    CHECK_INT_EQ(add(area(HI - PG(5), HI - PG(2), RW, VMA_STACK, "stack")), 0);
    LAYOUT("bffe0000-bffe1000 --- guard guard; bfffb000-c0000000 rw- stack stack");
    ERR(add(area(HI - PG(0x20), HI - PG(5), RW, VMA_STACK, "stack")), -VMA_EOVERLAP);
    CHECK_INT_EQ(add(area(HI - PG(0x1F), HI - PG(5), RW, VMA_STACK, "stack")), 0);
    LAYOUT("bffe0000-bffe1000 --- guard guard; bffe1000-c0000000 rw- stack stack");
}

static int collect(void *ctx, const struct vma *a)
{
    unsigned *n = ctx;
    CHECK(a == &set.v[*n]);
    return ++*n == 2 ? 7 : 0;
}

static void for_each_walks_in_order_and_stops(void)
{
    fresh(8);
    CHECK_INT_EQ(add(area(PG(0x30), PG(0x31), RW, VMA_ANON, "c")), 0);
    CHECK_INT_EQ(add(area(PG(0x10), PG(0x11), RW, VMA_ANON, "a")), 0);
    CHECK_INT_EQ(add(area(PG(0x20), PG(0x21), RW, VMA_ANON, "b")), 0);
    unsigned n = 0;
    CHECK_INT_EQ(vma_for_each(&set, collect, &n), 7);
    CHECK_INT_EQ(n, 2);
    CHECK_INT_EQ(vma_remove(&set, PG(0x20), PG(0x20), NULL, NULL), 0);
    n = 0;
    CHECK_INT_EQ(vma_for_each(&set, collect, &n), 0);
    CHECK_INT_EQ(n, 1);
}

/* vma_check sees each broken invariant (so that passing it means something). */
static void check_finds_what_is_broken(void)
{
    fresh(4);
    CHECK_INT_EQ(add(area(PG(0x10), PG(0x12), RW, VMA_ANON, "a")), 0);
    CHECK_INT_EQ(add(file(PG(0x12), PG(0x14), R, 0, 0x10, "b")), 0);
    SET_OK();
    struct vma keep[2] = { set.v[0], set.v[1] };
#define SPOILED(stmt, msg) do { set.v[0] = keep[0]; set.v[1] = keep[1]; set.count = 2; \
                                stmt; CHECK_CONTAINS(vma_check(&set), msg); } while (0)
    SPOILED(set.v[0].end = set.v[0].start, "empty");
    SPOILED(set.v[0].start += 8, "aligned");
    SPOILED(set.v[0].start = 0, "outside");
    SPOILED(set.v[1].end = HI + PG(1), "outside");
    SPOILED(set.v[0].prot = 0x10, "permission");
    SPOILED(set.v[0].kind = 9, "kind");
    SPOILED(set.v[0].kind = VMA_GUARD, "guard");
    SPOILED(memset(set.v[0].name, 'x', VMA_NAME_LEN), "NUL");
    SPOILED(set.v[0].name[7] = 'x', "after its NUL");
    SPOILED(set.v[0].file_size = 1, "not a file");
    SPOILED(set.v[1].file_size = PG(3), "more file bytes");
    SPOILED(set.v[1].file_base = 0xFFFFF000u, "4 GiB");
    SPOILED(set.v[1].start = PG(0x11), "overlap");
    SPOILED((set.v[0] = keep[1], set.v[1] = keep[0]), "overlap");
    SPOILED(set.v[1] = area(PG(0x12), PG(0x13), RW, VMA_ANON, "a"), "merged");
    SPOILED(set.count = 5, "slots");
#undef SPOILED
    set.v[0] = keep[0];
    set.v[1] = keep[1];
    set.count = 2;
    SET_OK();
    CHECK_CONTAINS(vma_check(NULL), "no set");
}

static void errors_have_names(void)
{
    CHECK_STR_EQ(vma_strerror(0), "ok");
    CHECK_STR_EQ(vma_strerror(-VMA_ENOMEM), "ENOMEM");
    CHECK_STR_EQ(vma_strerror(-VMA_EFULL), "EFULL");
    CHECK_STR_EQ(vma_strerror(-12345), "unknown");
    CHECK_INT_EQ(VMA_ENOMEM, 12);       /* Linux i386's numbers */
    CHECK_INT_EQ(VMA_EACCES, 13);
    CHECK_INT_EQ(VMA_EINVAL, 22);
}

static const struct check_test tests[] = {
    TEST(init_checks_its_arguments),
    TEST(insert_and_find),
    TEST(insert_refuses_overlap_and_leaves_the_set),
    TEST(insert_refuses_what_is_outside_the_range),
    TEST(insert_refuses_bad_areas),
    TEST(insert_keeps_a_clean_copy),
    TEST(a_full_set_refuses_a_new_area_but_takes_a_merging_one),
    TEST(remove_splits_in_the_middle),
    TEST(remove_at_the_start_the_end_and_all),
    TEST(remove_across_several_areas),
    TEST(remove_refuses_bad_ranges),
    TEST(remove_that_needs_a_slot_fails_whole_when_full),
    TEST(protect_splits_and_merges_back),
    TEST(protect_across_areas_keeps_them_apart),
    TEST(protect_over_a_hole_changes_nothing),
    TEST(protect_keeps_guards_closed),
    TEST(protect_counts_slots_after_merging),
    TEST(find_gap_goes_top_down),
    TEST(find_gap_never_wraps),
    TEST(resize_grows_and_shrinks_brk),
    TEST(resize_merges_with_a_like_neighbour),
    TEST(an_elf_segment_in_the_middle_of_a_page_splits_exactly),
    TEST(alike_neighbours_merge_and_others_do_not),
    TEST(file_areas_merge_only_where_the_bytes_follow),
    TEST(mmap_munmap_cycles_give_slots_back),
    TEST(a_stack_grows_down_by_inserting_below_it),
    TEST(for_each_walks_in_order_and_stops),
    TEST(check_finds_what_is_broken),
    TEST(errors_have_names),
};

CHECK_MAIN(tests)
