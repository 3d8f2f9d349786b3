/*
 * test_elf.c - kernel/sched/elf.c: reading a static i386 program from
 * memory. The images are made here, a header and program headers written
 * field by field, so that each test says exactly what it changed; a real
 * static binary is not needed (and its C library may not be installed).
 */
#include <stdint.h>

#include "check.h"
#include "sched/elf.h"

#define PT_LOAD      1
#define PT_INTERP    3
#define PT_PHDR      6
#define PT_TLS       7
#define PT_GNU_STACK 0x6474e551u
#define PF_RX        (ELF_PERM_R | ELF_PERM_X)
#define PF_RW        (ELF_PERM_R | ELF_PERM_W)
#define ET_REL       1
#define ET_EXEC      2
#define ET_DYN       3
#define PHOFF        52         /* the table right after the header */

/* The usual program: text r-x holding the headers, data rw- with bss. */
#define TEXT         0x08048000u
#define DATA         0x08049200u
#define ENTRY        0x08048100u

struct seg {
    uint32_t type, offset, vaddr, filesz, memsz, flags, align;
};

static uint8_t img[8192];
static struct elf_image elf;
static char why[ELF_WHY_LEN];

static void put16(size_t off, uint16_t v) { memcpy(img + off, &v, sizeof v); }
static void put32(size_t off, uint32_t v) { memcpy(img + off, &v, sizeof v); }

/* Writes an ELF32 i386 image of these segments; returns its size: the
 * headers and every segment's file bytes. */
static size_t build(uint16_t type, uint32_t entry, const struct seg *segs, unsigned n)
{
    memset(img, 0, sizeof img);
    memcpy(img, "\x7f" "ELF\x01\x01\x01", 7);
    put16(16, type);
    put16(18, 3);               /* EM_386 */
    put32(20, 1);               /* EV_CURRENT */
    put32(24, entry);
    put32(28, PHOFF);
    put16(40, 52);
    put16(42, 32);
    put16(44, (uint16_t)n);
    size_t size = PHOFF + 32 * n;
    for (unsigned i = 0; i < n; i++) {
        const uint32_t f[8] = { segs[i].type, segs[i].offset, segs[i].vaddr, segs[i].vaddr,
                                segs[i].filesz, segs[i].memsz, segs[i].flags, segs[i].align };
        memcpy(img + PHOFF + 32 * i, f, sizeof f);
        uint64_t end = (uint64_t)segs[i].offset + segs[i].filesz;
        if (segs[i].type == PT_LOAD && end > size && end <= sizeof img)
            size = (size_t)end;
    }
    return size;
}

static const struct seg text = { PT_LOAD, 0, TEXT, 0x200, 0x200, PF_RX, 0x1000 };
static const struct seg data = { PT_LOAD, 0x200, DATA, 0x40, 0x1000, PF_RW, 0x1000 };

static size_t usual(const struct seg *extra, unsigned n_extra)
{
    struct seg segs[8] = { text, data };
    for (unsigned i = 0; i < n_extra; i++)
        segs[2 + i] = extra[i];
    return build(ET_EXEC, ENTRY, segs, 2 + n_extra);
}

static int parse(size_t size)
{
    memset(&elf, 0xA5, sizeof elf);    /* the parser must clear it itself */
    memset(why, 'x', sizeof why);
    return elf_parse(img, size, &elf, why, sizeof why);
}

/* Rejected, with the reason saying so, and nothing left in elf. */
static void rejected(const char *file, int line, size_t size, const char *reason)
{
    static const struct elf_image zero;
    if (parse(size) != -1) {
        check_fail(file, line, "accepted; expected \"%s\"", reason);
        return;
    }
    check_contains(file, line, why, reason, "why");
    if (memcmp(&elf, &zero, sizeof elf) != 0)
        check_fail(file, line, "a rejected image left fields set");
}
#define REJECTED(size, reason) rejected(__FILE__, __LINE__, (size), (reason))

static void two_segments(void)
{
    REQUIRE_INT_EQ(parse(usual(NULL, 0)), 0);
    CHECK_STR_EQ(why, "");
    CHECK_INT_EQ(elf.kind, ELF_KIND_EXEC);
    CHECK_HEX_EQ(elf.entry, ENTRY);
    REQUIRE_INT_EQ(elf.load_count, 2);
    CHECK_HEX_EQ(elf.loads[0].vaddr, TEXT);
    CHECK_HEX_EQ(elf.loads[0].memsz, 0x200);
    CHECK_HEX_EQ(elf.loads[0].offset, 0);
    CHECK_HEX_EQ(elf.loads[0].filesz, 0x200);
    CHECK_INT_EQ(elf.loads[0].perm, ELF_PERM_R | ELF_PERM_X);
    CHECK_HEX_EQ(elf.loads[0].align, 0x1000);
    CHECK_HEX_EQ(elf.loads[1].vaddr, DATA);
    CHECK_HEX_EQ(elf.loads[1].memsz, 0x1000);
    CHECK_HEX_EQ(elf.loads[1].offset, 0x200);
    CHECK_HEX_EQ(elf.loads[1].filesz, 0x40);
    CHECK_INT_EQ(elf.loads[1].perm, ELF_PERM_R | ELF_PERM_W);
    CHECK(!elf.has_tls);
    CHECK(!elf.exec_stack);
    CHECK_INT_EQ(elf.phentsize, 32);
    CHECK_INT_EQ(elf.phnum, 2);
    CHECK_HEX_EQ(elf.lo, TEXT);
    CHECK_HEX_EQ(elf.hi, 0x0804B000);  /* 0x08049200 + 0x1000, a page up */
}

static void static_pie(void)
{
    const struct seg segs[] = { { PT_LOAD, 0, 0, 0x300, 0x300, PF_RX, 0x1000 },
                                { PT_LOAD, 0x300, 0x1300, 0x10, 0x20, PF_RW, 0x1000 } };
    REQUIRE_INT_EQ(parse(build(ET_DYN, 0x120, segs, 2)), 0);
    CHECK_INT_EQ(elf.kind, ELF_KIND_STATIC_PIE);
    CHECK_HEX_EQ(elf.lo, 0);
    CHECK_HEX_EQ(elf.hi, 0x2000);
    CHECK_HEX_EQ(elf.phdr, PHOFF);
}

static void tls(void)
{
    const struct seg t = { PT_TLS, 0x200, DATA, 0x10, 0x30, ELF_PERM_R, 4 };
    REQUIRE_INT_EQ(parse(usual(&t, 1)), 0);
    REQUIRE(elf.has_tls);
    CHECK_HEX_EQ(elf.tls.vaddr, DATA);
    CHECK_HEX_EQ(elf.tls.filesz, 0x10);
    CHECK_HEX_EQ(elf.tls.memsz, 0x30);
    CHECK_HEX_EQ(elf.tls.align, 4);
    CHECK_INT_EQ(elf.load_count, 2);    /* TLS is not a load of its own */

    const struct seg two[] = { t, t };
    REJECTED(usual(two, 2), "second PT_TLS");
    const struct seg small = { PT_TLS, 0x200, DATA, 0x10, 0x8, ELF_PERM_R, 4 };
    REJECTED(usual(&small, 1), "segment 2 memsz smaller than filesz");
}

static void gnu_stack(void)
{
    struct seg s = { PT_GNU_STACK, 0, 0, 0, 0, PF_RW, 16 };
    REQUIRE_INT_EQ(parse(usual(&s, 1)), 0);
    CHECK(!elf.exec_stack);
    s.flags = PF_RW | ELF_PERM_X;
    REQUIRE_INT_EQ(parse(usual(&s, 1)), 0);
    CHECK(elf.exec_stack);
}

static void phdr_address(void)
{
    /* Inside the text segment, which holds the file's first bytes. */
    REQUIRE_INT_EQ(parse(usual(NULL, 0)), 0);
    CHECK(elf.has_phdr);
    CHECK_HEX_EQ(elf.phdr, TEXT + PHOFF);

    /* PT_PHDR wins, even where the load would say otherwise. */
    const struct seg ph = { PT_PHDR, PHOFF, 0x08047000, 0x60, 0x60, ELF_PERM_R, 4 };
    REQUIRE_INT_EQ(parse(usual(&ph, 1)), 0);
    CHECK(elf.has_phdr);
    CHECK_HEX_EQ(elf.phdr, 0x08047000);

    /* No load holds the table's bytes, no PT_PHDR: unknown. */
    const struct seg segs[] = { { PT_LOAD, 0x100, TEXT + 0x100, 0x100, 0x100, PF_RX, 0x1000 } };
    REQUIRE_INT_EQ(parse(build(ET_EXEC, ENTRY, segs, 1)), 0);
    CHECK(!elf.has_phdr);
    CHECK_HEX_EQ(elf.phdr, 0);
}

static void not_elf(void)
{
    size_t size = usual(NULL, 0);
    img[1] = 'e';
    REJECTED(size, "not an ELF file");
    usual(NULL, 0);
    REJECTED(51, "not an ELF file");    /* shorter than the header */
    REJECTED(0, "not an ELF file");
    img[4] = 2;                         /* ELFCLASS64 */
    REJECTED(size, "not 32-bit");
    usual(NULL, 0);
    img[5] = 2;                         /* big-endian */
    REJECTED(size, "not little-endian");
    usual(NULL, 0);
    put16(18, 62);                      /* EM_X86_64 */
    REJECTED(size, "not i386");
    usual(NULL, 0);
    put16(16, ET_REL);
    REJECTED(size, "not an executable (ET_EXEC or ET_DYN static-pie)");
}

static void header_table(void)
{
    size_t size = usual(NULL, 0);
    put32(28, 0xFFFFFFF0);              /* phoff + phnum * 32 wraps */
    REJECTED(size, "program header table outside the file");
    usual(NULL, 0);
    put16(44, 300);
    REJECTED(size, "program header table outside the file");
    usual(NULL, 0);
    put16(42, 40);
    REJECTED(size, "program headers of 40 bytes, not 32");
    usual(NULL, 0);
    put16(44, 0);
    REJECTED(size, "no program headers");
}

static void segment_bytes(void)
{
    struct seg bad = { PT_LOAD, 0x1000, 0x0804C000, 0x100, 0x100, PF_RW, 0x1000 };
    size_t size = usual(NULL, 0);
    struct seg segs[] = { text, data, bad };
    build(ET_EXEC, ENTRY, segs, 3);     /* its size: without the third's bytes */
    REJECTED(size, "segment 2 file bytes outside the file");
    segs[2].offset = 0xFFFFFF00;        /* offset + filesz wraps to 0 */
    build(ET_EXEC, ENTRY, segs, 3);
    REJECTED(size, "segment 2 file bytes outside the file");

    struct seg shrunk = data;
    shrunk.memsz = 0x10;
    const struct seg two[] = { text, shrunk };
    REJECTED(build(ET_EXEC, ENTRY, two, 2), "segment 1 memsz smaller than filesz");
}

static void alignment(void)
{
    struct seg odd = data;
    odd.align = 0x1800;
    const struct seg a[] = { text, odd };
    REJECTED(build(ET_EXEC, ENTRY, a, 2), "segment 1 alignment 0x1800 is not a power of two");
    struct seg moved = data;
    moved.vaddr = 0x08049000;           /* offset 0x200 is not at 0x000 in its page */
    const struct seg b[] = { text, moved };
    REJECTED(build(ET_EXEC, ENTRY, b, 2), "segment 1 vaddr and offset disagree");
}

static void overlap(void)
{
    struct seg over = data;
    over.vaddr = TEXT - 0x1000 + 0x200;     /* its bss reaches into text */
    const struct seg segs[] = { text, over };
    REJECTED(build(ET_EXEC, ENTRY, segs, 2), "segment 1 overlaps another");
}

static void kernel_space(void)
{
    struct seg high = data;
    high.vaddr = 0xBFFFF200;            /* 0x1000 bytes: ends past 0xC0000000 */
    struct seg segs[] = { text, high };
    REJECTED(build(ET_EXEC, ENTRY, segs, 2), "segment 1 reaches kernel space (0xc0000000");
    segs[1].vaddr = 0xC0001200;
    REJECTED(build(ET_EXEC, ENTRY, segs, 2), "segment 1 reaches kernel space");
    segs[1].vaddr = 0xFFFFF200;         /* vaddr + memsz wraps to a small number */
    REJECTED(build(ET_EXEC, ENTRY, segs, 2), "segment 1 reaches kernel space");
    segs[1].vaddr = 0xBFFFE200;         /* ends at 0xBFFFF200: fine */
    REQUIRE_INT_EQ(parse(build(ET_EXEC, ENTRY, segs, 2)), 0);
    CHECK_HEX_EQ(elf.hi, 0xC0000000);
}

static void entry_point(void)
{
    const struct seg segs[] = { text, data };
    REJECTED(build(ET_EXEC, DATA + 4, segs, 2),
             "entry point 0x8049204 outside every executable segment");
    REJECTED(build(ET_EXEC, TEXT + 0x200, segs, 2), "outside every executable segment");
    REQUIRE_INT_EQ(parse(build(ET_EXEC, TEXT + 0x1FF, segs, 2)), 0);
}

static void too_many(void)
{
    struct seg segs[ELF_LOAD_MAX + 1];
    for (unsigned i = 0; i < ELF_LOAD_MAX + 1; i++)
        segs[i] = (struct seg){ PT_LOAD, 0, TEXT + 0x1000 * i, 0x100, 0x100, PF_RX, 0x1000 };
    REQUIRE_INT_EQ(parse(build(ET_EXEC, TEXT, segs, ELF_LOAD_MAX)), 0);
    CHECK_INT_EQ(elf.load_count, ELF_LOAD_MAX);
    REJECTED(build(ET_EXEC, TEXT, segs, ELF_LOAD_MAX + 1), "too many segments");
}

static void dynamic_and_empty(void)
{
    const struct seg interp = { PT_INTERP, 0x100, TEXT + 0x100, 0x13, 0x13, ELF_PERM_R, 1 };
    REJECTED(usual(&interp, 1), "needs a dynamic loader (PT_INTERP)");
    const struct seg note[] = { { 4, 0x100, TEXT + 0x100, 0x20, 0x20, ELF_PERM_R, 4 } };
    REJECTED(build(ET_EXEC, ENTRY, note, 1), "no segment to load");
    /* A load of no bytes maps nothing and counts for nothing. */
    const struct seg empty = { PT_LOAD, 0, 0x10000000, 0, 0, PF_RW, 0x1000 };
    REQUIRE_INT_EQ(parse(usual(&empty, 1)), 0);
    CHECK_INT_EQ(elf.load_count, 2);
}

/* The reason is cut to fit, and no buffer at all is fine. */
static void why_buffer(void)
{
    size_t size = usual(NULL, 0);
    put16(18, 62);
    char small[5];
    CHECK_INT_EQ(elf_parse(img, size, &elf, small, sizeof small), -1);
    CHECK_STR_EQ(small, "not ");
    CHECK_INT_EQ(elf_parse(img, size, &elf, NULL, 0), -1);
}

/* Every prefix of a good image, in a buffer of exactly that size: ASan
 * reports any read past it. Only the whole image is accepted. */
static void truncated(void)
{
    const struct seg t = { PT_TLS, 0x200, DATA, 0x10, 0x30, ELF_PERM_R, 4 };
    size_t size = usual(&t, 1);
    for (size_t n = 0; n <= size; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        REQUIRE(copy);
        memcpy(copy, img, n);
        int got = elf_parse(copy, n, &elf, why, sizeof why);
        free(copy);
        if (!CHECK_INT_EQ(got, n == size ? 0 : -1))
            printf("  at %zu bytes of %zu\n", n, size);
    }
}

/* ---- sections ---------------------------------------------------------------------- */

#define SHOFF       0x400       /* the section table, after the segments' bytes */
#define STROFF      0x600       /* the section names */

struct shdr_spec {
    const char *name;
    uint32_t type, flags, addr, size;
};

/* Adds a section table (a null section, these, the names last) to the image. */
static size_t with_sections(size_t size, const struct shdr_spec *secs, unsigned n)
{
    unsigned total = n + 2;
    uint32_t name_at = 1;
    img[STROFF] = 0;
    for (unsigned i = 0; i <= n; i++) {
        const char *nm = i < n ? secs[i].name : ".shstrtab";
        uint32_t f[10] = { name_at, i < n ? secs[i].type : 3, i < n ? secs[i].flags : 0,
                           i < n ? secs[i].addr : 0, i < n ? 0x200 : STROFF,
                           i < n ? secs[i].size : 0, 0, 0, 1, 0 };
        memcpy(img + SHOFF + 40 * (i + 1), f, sizeof f);
        memcpy(img + STROFF + name_at, nm, strlen(nm) + 1);
        name_at += (uint32_t)strlen(nm) + 1;
    }
    put32(SHOFF + 40 * total - 40 + 20, name_at);           /* .shstrtab's size */
    put32(32, SHOFF);
    put16(46, 40);
    put16(48, (uint16_t)total);
    put16(50, (uint16_t)(total - 1));
    return size > STROFF + name_at ? size : STROFF + name_at;
}

static struct elf_section seen_secs[8];
static char seen_names[8][16];
static unsigned seen_n;

static void note_section(void *ctx, const struct elf_section *sec)
{
    (void)ctx;
    if (seen_n < 8) {
        seen_secs[seen_n] = *sec;
        snprintf(seen_names[seen_n], sizeof seen_names[0], "%s", sec->name);
        seen_n++;
    }
}

static void sections(void)
{
    static const struct shdr_spec secs[] = {
        { ".text", 1, 0x6, TEXT + 0x100, 0x100 },       /* PROGBITS, ALLOC|EXEC */
        { ".noptrdata", 1, 0x3, DATA, 0x40 },           /* ALLOC|WRITE */
        { ".tbss", 8, 0x403, DATA + 0x40, 0x10 },       /* TLS: not where variables live */
        { ".noptrbss", 8, 0x3, DATA + 0x40, 0x200 },    /* NOBITS */
        { ".comment", 1, 0x30, 0, 0x20 },               /* not ALLOC */
    };
    size_t size = with_sections(usual(NULL, 0), secs, 5);
    seen_n = 0;
    REQUIRE_INT_EQ(elf_sections(img, size, note_section, NULL), 3);
    CHECK_STR_EQ(seen_names[0], ".text");
    CHECK_INT_EQ(seen_secs[0].perm, ELF_PERM_R | ELF_PERM_X);
    CHECK_STR_EQ(seen_names[1], ".noptrdata");
    CHECK_INT_EQ(seen_secs[1].addr, DATA);
    CHECK_INT_EQ(seen_secs[1].perm, ELF_PERM_R | ELF_PERM_W);
    CHECK_STR_EQ(seen_names[2], ".noptrbss");
    CHECK(seen_secs[2].nobits);
    CHECK_INT_EQ(seen_secs[2].size, 0x200);
    /* No section table (stripped of it): no names, not an error. */
    put32(32, 0);
    CHECK_INT_EQ(elf_sections(img, size, note_section, NULL), 0);
    /* A table past the end, or a name table past it: refused. */
    size = with_sections(usual(NULL, 0), secs, 5);
    CHECK_INT_EQ(elf_sections(img, SHOFF + 40, note_section, NULL), -1);
    put32(SHOFF + 40 * 6 + 20, 0x10000);
    CHECK_INT_EQ(elf_sections(img, size, note_section, NULL), -1);
    CHECK_INT_EQ(elf_sections("\x7f" "ELF", 4, note_section, NULL), -1);
}

/* Every prefix of an image with sections: nothing is read past the end. */
static void sections_truncated(void)
{
    static const struct shdr_spec secs[] = { { ".data", 1, 0x3, DATA, 0x40 } };
    size_t size = with_sections(usual(NULL, 0), secs, 1);
    for (size_t n = 0; n <= size; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        REQUIRE(copy);
        memcpy(copy, img, n);
        int got = elf_sections(copy, n, note_section, NULL);
        free(copy);
        CHECK(got <= 1);
    }
}

static const struct check_test tests[] = {
    TEST(two_segments), TEST(static_pie), TEST(tls), TEST(gnu_stack),
    TEST(phdr_address), TEST(not_elf), TEST(header_table), TEST(segment_bytes),
    TEST(alignment), TEST(overlap), TEST(kernel_space), TEST(entry_point),
    TEST(too_many), TEST(dynamic_and_empty), TEST(why_buffer), TEST(truncated),
    TEST(sections), TEST(sections_truncated),
};

CHECK_MAIN(tests)
