/*
 * bootinfo_fixture.h - the set-up shared by the host tests of the boot
 * information parser, kernel/boot/bootinfo.c (test_bootinfo_*.c): a buffer
 * that plays physical memory and the window onto it, builders that write
 * Multiboot 1 and 2 information blocks into it (correct ones, and with the
 * size fields, counts and addresses the tests choose), the parse itself and
 * the checks the tests share.
 */
#ifndef BOOTINFO_FIXTURE_H
#define BOOTINFO_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "boot/bootinfo.h"
#include "boot/multiboot.h"
#include "check.h"

/* ---- "physical memory" -------------------------------------------------- */

#define MEM_SIZE (1u << 20)

static uint8_t mem[MEM_SIZE] __attribute__((aligned(8)));

/* The phys_window: all of mem, nothing beyond it. */
static inline const void *window(uint64_t phys, uint32_t len)
{
    if (phys > sizeof mem || len > sizeof mem - phys)
        return NULL;
    return mem + phys;
}

static inline void mem_reset(void)
{
    memset(mem, 0, sizeof mem);
}

static inline void put(uint32_t phys, const void *src, size_t len)
{
    memcpy(mem + phys, src, len);
}

static inline void put_str(uint32_t phys, const char *s)
{
    put(phys, s, strlen(s) + 1);
}

static inline uint32_t get32(uint32_t phys)
{
    uint32_t v;
    memcpy(&v, mem + phys, sizeof v);
    return v;
}

static inline void put32(uint32_t phys, uint32_t v)
{
    put(phys, &v, sizeof v);
}

/* True when some warning contains every one of the (up to two) strings. */
static inline bool warned(const struct boot_info *bi, const char *a, const char *b)
{
    for (unsigned i = 0; i < bi->warning_count && i < BOOT_WARNINGS_MAX; i++)
        if (strstr(bi->warnings[i], a) && (!b || strstr(bi->warnings[i], b)))
            return true;
    return false;
}

static inline void show_warnings(const struct boot_info *bi)
{
    for (unsigned i = 0; i < bi->warning_count && i < BOOT_WARNINGS_MAX; i++)
        printf("  warning: %s\n", bi->warnings[i]);
    if (bi->error[0])
        printf("  error: %s\n", bi->error);
}

#define CHECK_WARNED(bi, a, b) \
    do { if (!CHECK(warned(bi, a, b))) show_warnings(bi); } while (0)
#define CHECK_NO_WARNINGS(bi) \
    do { if (!CHECK_INT_EQ((bi)->warning_count, 0)) show_warnings(bi); } while (0)
#define CHECK_RANGE(r, s, e) \
    do { CHECK_HEX_EQ((r).start, s); CHECK_HEX_EQ((r).end, e); } while (0)
#define CHECK_MMAP(bi, i, s, e, t) \
    do { CHECK_HEX_EQ((bi)->mmap[i].start, s); CHECK_HEX_EQ((bi)->mmap[i].end, e); \
         CHECK_INT_EQ((bi)->mmap[i].type, t); } while (0)

/* Big: keep it off the stack. Each test starts from a clean one. */
static struct boot_info bi_storage;

static inline struct boot_info *parse_ok(uint32_t magic, uint32_t info)
{
    struct boot_info *bi = &bi_storage;
    memset(bi, 0xA5, sizeof *bi);      /* the parser must clear it itself */
    int rc = bootinfo_parse(magic, info, window, bi);
    if (!CHECK_INT_EQ(rc, 0))
        show_warnings(bi);
    return bi;
}

static inline struct boot_info *parse_fail(uint32_t magic, uint32_t info)
{
    struct boot_info *bi = &bi_storage;
    memset(bi, 0xA5, sizeof *bi);
    CHECK_INT_EQ(bootinfo_parse(magic, info, window, bi), -1);
    CHECK(bi->error[0] != '\0');
    /* Nothing is taken from a block that cannot be trusted. */
    CHECK_INT_EQ(bi->mmap_count, 0);
    CHECK_INT_EQ(bi->module_count, 0);
    CHECK(!bi->has_meminfo);
    CHECK_STR_EQ(bi->cmdline, "");
    return bi;
}

/* ---- Multiboot 1 --------------------------------------------------------- */

#define MB1_INFO     0x1000u
#define MB1_CMDLINE  0x2000u
#define MB1_LOADER   0x2400u
#define MB1_MODS     0x3000u
#define MB1_MODSTR   0x3800u
#define MB1_MMAP     0x4000u
#define MB1_SHDR     0x6000u

static struct mb1_info mb1;

static inline void mb1_begin(uint32_t flags)
{
    mem_reset();
    memset(&mb1, 0, sizeof mb1);
    mb1.flags = flags;
}

static inline void mb1_commit(void)
{
    put(MB1_INFO, &mb1, sizeof mb1);
}

/* Appends one map entry whose size field is `size` (20 normally). */
static uint32_t mb1_mmap_off;

static inline void mb1_map_entry_sized(uint32_t size, uint64_t base, uint64_t len,
                                       uint32_t type)
{
    struct mb1_mmap_entry e = { size, base, len, type };
    put(MB1_MMAP + mb1_mmap_off, &e, sizeof e);
    mb1_mmap_off += size + 4;
    mb1.flags |= MB1_INFO_MEM_MAP;
    mb1.mmap_addr = MB1_MMAP;
    mb1.mmap_length = mb1_mmap_off;
}

static inline void mb1_map_begin(void)
{
    mb1_mmap_off = 0;
}

static inline void mb1_map_entry(uint64_t base, uint64_t len, uint32_t type)
{
    mb1_map_entry_sized(20, base, len, type);
}

static inline void mb1_modules(const struct mb1_module *mods, uint32_t count)
{
    put(MB1_MODS, mods, count * sizeof *mods);
    mb1.flags |= MB1_INFO_MODS;
    mb1.mods_addr = MB1_MODS;
    mb1.mods_count = count;
}

/* ---- Multiboot 2 --------------------------------------------------------- */

#define MB2_INFO 0x10000u

struct mb2 {
    uint32_t base;      /* where the block starts */
    uint32_t off;       /* where the next tag goes, from base */
};

static inline void mb2_begin(struct mb2 *b, uint32_t base)
{
    mem_reset();
    b->base = base;
    b->off = sizeof(struct mb2_info_header);
}

/* Appends a tag of `size` bytes (header included) with its payload; returns
 * its physical address. The size may lie: the payload written is `len`. */
static inline uint32_t mb2_tag_sized(struct mb2 *b, uint32_t type, uint32_t size,
                                     const void *payload, uint32_t len)
{
    uint32_t at = b->base + b->off;
    struct mb2_tag t = { type, size };
    put(at, &t, sizeof t);
    if (len)
        put(at + 8, payload, len);
    b->off += ((8 + len) + 7) & ~7u;
    return at;
}

static inline uint32_t mb2_tag(struct mb2 *b, uint32_t type, const void *payload,
                               uint32_t len)
{
    return mb2_tag_sized(b, type, 8 + len, payload, len);
}

static inline uint32_t mb2_string(struct mb2 *b, uint32_t type, const char *s)
{
    return mb2_tag(b, type, s, (uint32_t)strlen(s) + 1);
}

static inline uint32_t mb2_module(struct mb2 *b, uint32_t start, uint32_t end,
                                  const char *s)
{
    uint8_t payload[128];
    memcpy(payload, &start, 4);
    memcpy(payload + 4, &end, 4);
    size_t n = strlen(s) + 1;
    memcpy(payload + 8, s, n);
    return mb2_tag(b, MB2_TAG_MODULE, payload, (uint32_t)(8 + n));
}

static inline uint32_t mb2_meminfo(struct mb2 *b, uint32_t lower, uint32_t upper)
{
    uint32_t payload[2] = { lower, upper };
    return mb2_tag(b, MB2_TAG_BASIC_MEMINFO, payload, sizeof payload);
}

struct map_entry {
    uint64_t base, len;
    uint32_t type;
};

/* A map tag of n entries, each entry_size bytes (24 today; later bigger). */
static inline uint32_t mb2_mmap(struct mb2 *b, uint32_t entry_size,
                                const struct map_entry *e, unsigned n)
{
    static uint8_t payload[8 + 200 * 64];
    uint32_t version = 0;
    memcpy(payload, &entry_size, 4);
    memcpy(payload + 4, &version, 4);
    for (unsigned i = 0; i < n; i++) {
        uint8_t *p = payload + 8 + i * entry_size;
        struct mb2_mmap_entry me = { e[i].base, e[i].len, e[i].type, 0 };
        memset(p, 0xEE, entry_size);   /* fields from later versions */
        memcpy(p, &me, entry_size < sizeof me ? entry_size : sizeof me);
    }
    return mb2_tag(b, MB2_TAG_MMAP, payload, 8 + n * entry_size);
}

/* An ELF sections tag: three u32 then num * entsize bytes of headers. */
static inline uint32_t mb2_elf(struct mb2 *b, uint32_t num, uint32_t entsize,
                               uint32_t shndx, uint32_t table_bytes)
{
    static uint8_t payload[12 + 64 * 40];
    memcpy(payload, &num, 4);
    memcpy(payload + 4, &entsize, 4);
    memcpy(payload + 8, &shndx, 4);
    memset(payload + 12, 0x5A, table_bytes);
    return mb2_tag(b, MB2_TAG_ELF_SECTIONS, payload, 12 + table_bytes);
}

/* Closes the block with no end tag; returns total_size. */
static inline uint32_t mb2_finish_without_end(struct mb2 *b)
{
    put32(b->base, b->off);
    put32(b->base + 4, 0);
    return b->off;
}

static inline uint32_t mb2_finish(struct mb2 *b)
{
    mb2_tag(b, MB2_TAG_END, NULL, 0);
    return mb2_finish_without_end(b);
}

static const struct map_entry qemu_map[] = {
    { 0x0, 0x9fc00, MB_MEMORY_AVAILABLE },
    { 0x9fc00, 0x400, MB_MEMORY_RESERVED },
    { 0xf0000, 0x10000, MB_MEMORY_RESERVED },
    { 0x100000, 0x7ee0000, MB_MEMORY_AVAILABLE },
    { 0x7fe0000, 0, MB_MEMORY_AVAILABLE },         /* empty: skipped */
    { 0x7fe0000, 0x20000, MB_MEMORY_ACPI },
    { 0xfffc0000, 0x40000, MB_MEMORY_RESERVED },
    { 0x100000000ULL, 0x80000000ULL, MB_MEMORY_AVAILABLE },
};
#define QEMU_MAP_N (sizeof qemu_map / sizeof qemu_map[0])

static inline void check_qemu_map(const struct boot_info *bi)
{
    CHECK(bi->has_mmap);
    if (!CHECK_INT_EQ(bi->mmap_count, QEMU_MAP_N - 1))
        return;
    CHECK_MMAP(bi, 0, 0x0, 0x9fc00, MMAP_AVAILABLE);
    CHECK_MMAP(bi, 1, 0x9fc00, 0xa0000, MMAP_RESERVED);
    CHECK_MMAP(bi, 2, 0xf0000, 0x100000, MMAP_RESERVED);
    CHECK_MMAP(bi, 3, 0x100000, 0x7fe0000, MMAP_AVAILABLE);
    CHECK_MMAP(bi, 4, 0x7fe0000, 0x8000000, MMAP_ACPI);
    CHECK_MMAP(bi, 5, 0xfffc0000, 0x100000000ULL, MMAP_RESERVED);
    CHECK_MMAP(bi, 6, 0x100000000ULL, 0x180000000ULL, MMAP_AVAILABLE);
    CHECK_HEX_EQ(bootinfo_ram_bytes(bi), 0x9fc00ULL + 0x7ee0000 + 0x80000000ULL);
}

#endif
