/*
 * test_bootinfo_mmap.c - the lists in a boot information block, as
 * bootinfo_parse (kernel/boot/bootinfo.c) reads them: the memory map of
 * Multiboot 1 (entries chained by their size field) and of Multiboot 2 (one
 * tag, a fixed entry size that may grow), and Multiboot 1's module list.
 * Entries too small, cut short, unreadable, wrapping past 2^64 or too many;
 * counts that are absurd and modules that end before they start. The entries
 * before the damage are kept, and the warnings say which entry it was.
 */
#include <stdint.h>

#include "bootinfo_fixture.h"
#include "check.h"

static void mb1_map_entry_too_small(void)
{
    static const struct boot_mmap_entry kept[] = {
        { 0x0, 0x9fc00, MMAP_AVAILABLE },
        { 0x100000, 0x1100000, MMAP_AVAILABLE },
    };
    mb1_begin(0);
    mb1_map_entry(0x0, 0x9fc00, MB_MEMORY_AVAILABLE);
    mb1_map_entry(0x100000, 0x1000000, MB_MEMORY_AVAILABLE);
    uint32_t bad_off = mb1_mmap_off;
    mb1_map_entry_sized(12, 0x2000000, 0x1000, MB_MEMORY_AVAILABLE);
    mb1_map_entry(0x3000000, 0x1000, MB_MEMORY_AVAILABLE);
    CHECK_INT_EQ(get32(MB1_MMAP + bad_off), 12);

    struct boot_info *bi = mb1_parse();
    CHECK_ONLY_WARNING(bi, "entry 2 ", "size 12");
    /* The entries before the broken one are kept, none after it. */
    CHECK_MAP(bi, kept);
}

static void mb1_map_buffer_cut_short(void)
{
    static const struct boot_mmap_entry kept[] = {
        { 0x0, 0x9fc00, MMAP_AVAILABLE },
        { 0x100000, 0x1100000, MMAP_AVAILABLE },
    };
    mb1_begin(0);
    mb1_map_entry(0x0, 0x9fc00, MB_MEMORY_AVAILABLE);
    mb1_map_entry(0x100000, 0x1000000, MB_MEMORY_AVAILABLE);
    mb1_map_entry(0x2000000, 0x1000000, MB_MEMORY_AVAILABLE);
    mb1.mmap_length = 2 * MB1_MAP_STRIDE + 10;     /* the third entry is cut */

    struct boot_info *bi = mb1_parse();
    CHECK_ONLY_WARNING(bi, "entry 2 ", "10 bytes left");
    CHECK_MAP(bi, kept);
    CHECK_RANGE(bi->mmap_range, MB1_MMAP, MB1_MMAP + 2 * MB1_MAP_STRIDE + 10);
}

static void mb1_map_last_entry_overlong(void)
{
    static const struct boot_mmap_entry kept[] = {
        { 0x0, 0x9fc00, MMAP_AVAILABLE },
        { 0x100000, 0x1100000, MMAP_AVAILABLE },
    };
    /* The last entry's size runs past the buffer: the parser must stop there. */
    mb1_begin(0);
    mb1_map_entry(0x0, 0x9fc00, MB_MEMORY_AVAILABLE);
    mb1_map_entry_sized(400, 0x100000, 0x1000000, MB_MEMORY_AVAILABLE);
    mb1.mmap_length = 2 * MB1_MAP_STRIDE;
    /* Garbage the parser must not read as entries. */
    memset(mem + MB1_MMAP + 2 * MB1_MAP_STRIDE, 0xff, 400);

    struct boot_info *bi = mb1_parse();
    CHECK_MAP(bi, kept);
}

static void mb1_map_unreadable(void)
{
    mb1_begin(0);
    mb1_meminfo(0, 1024);
    mb1_map_at(MEM_SIZE - 16, 2 * MB1_MAP_STRIDE);

    struct boot_info *bi = mb1_parse();
    CHECK_WARNED(bi, "memory map", "unreadable");
    CHECK(!bi->has_mmap);
    CHECK_RANGE(bi->mmap_range, 0, 0);
    CHECK_HEX_EQ(bootinfo_ram_bytes(bi), 1024 * 1024);
}

static void mb1_map_too_many_entries(void)
{
    mb1_begin(0);
    for (unsigned i = 0; i < BOOT_MMAP_MAX + 6; i++)
        mb1_map_entry(0x100000ULL * i, 0x1000, i % 2 ? MB_MEMORY_RESERVED
                                                     : MB_MEMORY_AVAILABLE);

    struct boot_info *bi = mb1_parse();
    REQUIRE_INT_EQ(bi->mmap_count, BOOT_MMAP_MAX);
    CHECK_WARNED(bi, "entry 64 dropped", "more than 64");
    CHECK(bi->warning_count >= 1 && bi->warning_count <= BOOT_WARNINGS_MAX);
    /* The first ones are kept, in order. */
    CHECK_MMAP(bi, 0, 0, 0x1000, MMAP_AVAILABLE);
    CHECK_MMAP(bi, 1, 0x100000, 0x101000, MMAP_RESERVED);
    CHECK_MMAP(bi, BOOT_MMAP_MAX - 1, 0x100000ULL * (BOOT_MMAP_MAX - 1),
               0x100000ULL * (BOOT_MMAP_MAX - 1) + 0x1000, MMAP_RESERVED);
    CHECK_HEX_EQ(bootinfo_ram_bytes(bi), 0x1000ULL * BOOT_MMAP_MAX / 2);
}

static void mb1_map_entry_wraps(void)
{
    static const struct boot_mmap_entry cut[] = {
        { 0x100000, 0x101000, MMAP_AVAILABLE },
        { 0xfffffffffffff000ULL, UINT64_MAX, MMAP_RESERVED },
    };
    mb1_begin(0);
    mb1_map_entry(0x100000, 0x1000, MB_MEMORY_AVAILABLE);
    mb1_map_entry(0xfffffffffffff000ULL, 0x2000, MB_MEMORY_RESERVED);

    struct boot_info *bi = mb1_parse();
    CHECK_WARNED(bi, "entry 1 ", "wraps");
    CHECK_MAP(bi, cut);
}

static void mb2_mmap_future_entry_size(void)
{
    struct mb2 b = mb2_begin(MB2_INFO);
    uint32_t map = mb2_mmap(&b, 40, qemu_map, QEMU_MAP_N);

    struct boot_info *bi = mb2_parse(&b);
    CHECK_NO_WARNINGS(bi);
    CHECK_RANGE(bi->mmap_range, map, map + MB2_MMAP_HEADER + QEMU_MAP_N * 40);
    check_qemu_map(bi);
}

static void mb2_mmap_entry_size_too_small(void)
{
    struct mb2 b = mb2_begin(MB2_INFO);
    mb2_meminfo(&b, 639, 2048);
    mb2_mmap(&b, 16, qemu_map, 4);
    mb2_string(&b, MB2_TAG_CMDLINE, "after");

    struct boot_info *bi = mb2_parse(&b);
    CHECK_ONLY_WARNING(bi, "memory map tag is malformed", "entry size 16");
    CHECK(!bi->has_mmap);
    CHECK_INT_EQ(bi->mmap_count, 0);
    CHECK_STR_EQ(bi->cmdline, "after");        /* later tags still read */
    CHECK_HEX_EQ(bootinfo_ram_bytes(bi), (639ULL + 2048) * 1024);
}

static void mb2_mmap_wraps(void)
{
    static const struct map_entry wrap[] = {
        { 0x100000, 0x1000, MB_MEMORY_AVAILABLE },
        { 0xffffffffffff0000ULL, 0x20000, MB_MEMORY_RESERVED },
    };
    static const struct boot_mmap_entry cut[] = {
        { 0x100000, 0x101000, MMAP_AVAILABLE },
        { 0xffffffffffff0000ULL, UINT64_MAX, MMAP_RESERVED },
    };
    struct mb2 b = mb2_begin(MB2_INFO);
    mb2_mmap(&b, MB2_MAP_ENTRY_SIZE, wrap, 2);

    struct boot_info *bi = mb2_parse(&b);
    CHECK_ONLY_WARNING(bi, "entry 1 ", "wraps past 2^64");
    CHECK_MAP(bi, cut);
}

static void mb2_mmap_too_many_entries(void)
{
    static struct map_entry many[BOOT_MMAP_MAX + 10];
    for (unsigned i = 0; i < BOOT_MMAP_MAX + 10; i++)
        many[i] = (struct map_entry){ 0x200000ULL * i, 0x100000,
                                      MB_MEMORY_AVAILABLE };
    struct mb2 b = mb2_begin(MB2_INFO);
    mb2_mmap(&b, MB2_MAP_ENTRY_SIZE, many, BOOT_MMAP_MAX + 10);

    struct boot_info *bi = mb2_parse(&b);
    REQUIRE_INT_EQ(bi->mmap_count, BOOT_MMAP_MAX);
    CHECK_WARNED(bi, "entry 64 dropped", "more than 64");
    CHECK_INT_EQ(bi->warning_count, BOOT_WARNINGS_MAX);  /* 10 drops, 8 said */
    CHECK_MMAP(bi, 0, 0, 0x100000, MMAP_AVAILABLE);
    CHECK_MMAP(bi, BOOT_MMAP_MAX - 1, 0x200000ULL * (BOOT_MMAP_MAX - 1),
               0x200000ULL * (BOOT_MMAP_MAX - 1) + 0x100000, MMAP_AVAILABLE);
    CHECK_HEX_EQ(bootinfo_ram_bytes(bi), 0x100000ULL * BOOT_MMAP_MAX);
}

static void mb1_modules_absurd_count(void)
{
    mb1_begin(MB1_INFO_MEMORY);
    mb1_modules_at(MB1_MODS, 100000);

    struct boot_info *bi = mb1_parse();
    CHECK_WARNED(bi, "module count 100000", "absurd");
    CHECK_INT_EQ(bi->module_count, 0);
    CHECK_RANGE(bi->modules_range, 0, 0);
}

static void mb1_modules_unreadable(void)
{
    mb1_begin(MB1_INFO_MEMORY);
    mb1_modules_at(MEM_SIZE - 16, 2);  /* the second module is past the window */

    struct boot_info *bi = mb1_parse();
    CHECK_WARNED(bi, "module list", "unreadable");
    CHECK_INT_EQ(bi->module_count, 0);
}

static void mb1_modules_bad_ones(void)
{
    mb1_begin(MB1_INFO_MEMORY);
    put_str(MB1_MODSTR, "ok-module");
    struct mb1_module mods[BOOT_MODULES_MAX + 3];
    for (unsigned i = 0; i < BOOT_MODULES_MAX + 3; i++)
        mods[i] = (struct mb1_module){ 0x400000 + 0x1000 * i,
                                       0x401000 + 0x1000 * i, 0, 0 };
    mods[0].string = MB1_MODSTR;
    mods[1].mod_end = 0x300000;                /* ends before it starts */
    mods[2].string = MEM_SIZE + 0x1000;        /* string outside the window */
    mb1_modules(mods, BOOT_MODULES_MAX + 3);

    struct boot_info *bi = mb1_parse();
    CHECK_WARNED(bi, "module 1 ", "before it starts");
    CHECK_WARNED(bi, "dropped", "more than 16 modules");
    /* Each dropped module is named by the loader's index for it. */
    CHECK_WARNED(bi, "module 17 dropped", "more than 16");
    CHECK_WARNED(bi, "module 18 dropped", "more than 16");
    CHECK(!warned(bi, "module 16 dropped", ""));
    REQUIRE_INT_EQ(bi->modules_given, BOOT_MODULES_MAX + 3);
    REQUIRE_INT_EQ(bi->module_count, BOOT_MODULES_MAX);
    CHECK_STR_EQ(bi->modules[0].cmdline, "ok-module");
    /* The bad one is skipped; the next takes its place. */
    CHECK_RANGE(bi->modules[1].range, 0x402000, 0x403000);
    CHECK_STR_EQ(bi->modules[1].cmdline, "");
    CHECK_RANGE(bi->modules[15].range, 0x410000, 0x411000);
}

static const struct check_test tests[] = {
    TEST(mb1_map_entry_too_small),
    TEST(mb1_map_buffer_cut_short),
    TEST(mb1_map_last_entry_overlong),
    TEST(mb1_map_unreadable),
    TEST(mb1_map_too_many_entries),
    TEST(mb1_map_entry_wraps),
    TEST(mb2_mmap_future_entry_size),
    TEST(mb2_mmap_entry_size_too_small),
    TEST(mb2_mmap_wraps),
    TEST(mb2_mmap_too_many_entries),
    TEST(mb1_modules_absurd_count),
    TEST(mb1_modules_unreadable),
    TEST(mb1_modules_bad_ones),
};

CHECK_MAIN(tests)
