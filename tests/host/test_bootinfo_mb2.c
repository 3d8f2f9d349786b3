/*
 * test_bootinfo_mb2.c - bootinfo_parse on Multiboot 2 information blocks
 * (kernel/boot/bootinfo.c): a full block with every tag the kernel reads and
 * one it does not know, then damaged tags - a size too small for a tag
 * header, a tag running past the block, no end tag, payloads too short for
 * their fields, strings without a NUL or too long. A bad tag is warned about
 * and skipped, and what the other tags said is kept. The memory map tag has
 * its own tests in test_bootinfo_mmap.c, blocks refused whole are in
 * test_bootinfo_reject.c.
 */
#include <stdint.h>

#include "bootinfo_fixture.h"
#include "check.h"

static void mb2_full(void)
{
    struct mb2 b = mb2_begin(MB2_INFO);
    uint32_t cmd = mb2_string(&b, MB2_TAG_CMDLINE, "mode=test exit FOO=bar");
    uint32_t ldr = mb2_string(&b, MB2_TAG_LOADER_NAME, "GRUB 2.06-13");
    mb2_module(&b, 0x300000, 0x304000, "mod.bin arg");
    mb2_string(&b, 21, "a tag type we do not read");
    mb2_meminfo(&b, 639, 129920);
    uint32_t map = mb2_mmap(&b, MB2_MAP_ENTRY_SIZE, qemu_map, QEMU_MAP_N);
    uint32_t elf = mb2_elf(&b, 9, 40, 8, 9 * 40);

    struct boot_info *bi = mb2_parse(&b);
    CHECK_NO_WARNINGS(bi);
    CHECK_INT_EQ(bi->protocol, BOOT_MULTIBOOT2);
    CHECK_HEX_EQ(bi->magic, MB2_LOADER_MAGIC);
    CHECK_RANGE(bi->info, MB2_INFO, MB2_INFO + b.total);

    CHECK_STR_EQ(bi->cmdline, "mode=test exit FOO=bar");
    CHECK_INT_EQ(bi->cmdline_length, 22);
    CHECK_RANGE(bi->cmdline_range, cmd + MB2_TAG_HEADER, cmd + MB2_TAG_HEADER + 23);

    CHECK_STR_EQ(bi->loader, "GRUB 2.06-13");
    CHECK_RANGE(bi->loader_range, ldr + MB2_TAG_HEADER, ldr + MB2_TAG_HEADER + 13);

    REQUIRE_INT_EQ(bi->module_count, 1);
    CHECK_RANGE(bi->modules[0].range, 0x300000, 0x304000);
    CHECK_STR_EQ(bi->modules[0].cmdline, "mod.bin arg");
    CHECK_RANGE(bi->modules_range, 0, 0);      /* MB2 has no module list */

    CHECK(bi->has_meminfo);
    CHECK_INT_EQ(bi->mem_lower_kib, 639);
    CHECK_INT_EQ(bi->mem_upper_kib, 129920);

    CHECK_RANGE(bi->mmap_range, map,
                map + MB2_MMAP_HEADER + QEMU_MAP_N * MB2_MAP_ENTRY_SIZE);
    check_qemu_map(bi);

    CHECK(bi->has_elf);
    CHECK_INT_EQ(bi->elf_num, 9);
    CHECK_INT_EQ(bi->elf_entsize, 40);
    CHECK_INT_EQ(bi->elf_shndx, 8);
    CHECK_RANGE(bi->elf_range, elf + MB2_ELF_HEADER, elf + MB2_ELF_HEADER + 9 * 40);
}

static void mb2_tag_size_too_small(void)
{
    struct mb2 b = mb2_begin(MB2_INFO);
    mb2_string(&b, MB2_TAG_CMDLINE, "kept");
    mb2_meminfo(&b, 639, 4096);
    uint32_t bad = mb2_tag_sized(&b, MB2_TAG_MODULE, 4, NULL, 0);
    mb2_string(&b, MB2_TAG_LOADER_NAME, "never read");

    struct boot_info *bi = mb2_parse(&b);
    char where[32];
    snprintf(where, sizeof where, "offset %u ", bad - MB2_INFO);
    CHECK_ONLY_WARNING(bi, where, "size 4");
    CHECK_STR_EQ(bi->cmdline, "kept");
    CHECK(bi->has_meminfo);
    CHECK_INT_EQ(bi->mem_upper_kib, 4096);
    CHECK_STR_EQ(bi->loader, "");
    CHECK_INT_EQ(bi->module_count, 0);
}

static void mb2_tag_past_end(void)
{
    struct mb2 b = mb2_begin(MB2_INFO);
    mb2_meminfo(&b, 639, 4096);
    mb2_tag_sized(&b, MB2_TAG_CMDLINE, 4000, "abc", 4);

    struct boot_info *bi = mb2_parse(&b);
    CHECK(b.total < 4000);
    CHECK_ONLY_WARNING(bi, "tag 1 ", "runs past the end");
    CHECK(bi->has_meminfo);
    CHECK_STR_EQ(bi->cmdline, "");
}

static void mb2_missing_end_tag(void)
{
    struct mb2 b = mb2_begin(MB2_INFO);
    mb2_string(&b, MB2_TAG_CMDLINE, "no end");
    mb2_meminfo(&b, 639, 4096);
    mb2_finish_without_end(&b);

    struct boot_info *bi = parse_ok(MB2_LOADER_MAGIC, MB2_INFO);
    CHECK_ONLY_WARNING(bi, "no end tag", NULL);
    CHECK_STR_EQ(bi->cmdline, "no end");
    CHECK(bi->has_meminfo);
}

/* A warning about one tag must not hide that the end tag is missing. */
static void mb2_missing_end_tag_after_bad_tag(void)
{
    struct mb2 b = mb2_begin(MB2_INFO);
    mb2_meminfo(&b, 639, 4096);
    mb2_mmap(&b, 16, qemu_map, 2);
    mb2_finish_without_end(&b);

    struct boot_info *bi = parse_ok(MB2_LOADER_MAGIC, MB2_INFO);
    CHECK_WARNED(bi, "memory map tag is malformed", NULL);
    CHECK_WARNED(bi, "no end tag", NULL);
    CHECK_INT_EQ(bi->warning_count, 2);
}

static void mb2_bad_tags_ignored(void)
{
    struct mb2 b = mb2_begin(MB2_INFO);
    /* A command line whose NUL is not inside its tag. */
    mb2_tag(&b, MB2_TAG_CMDLINE, "abc", 3);
    /* A module tag too short for its two addresses. */
    uint32_t four = 0x1234;
    mb2_tag(&b, MB2_TAG_MODULE, &four, 4);
    /* A memory information tag too short for its two sizes. */
    mb2_tag(&b, MB2_TAG_BASIC_MEMINFO, &four, 4);
    /* ELF headers that do not fit in the tag. */
    mb2_elf(&b, 9, 40, 8, 3 * 40);
    /* ELF headers that fit but are not 32-bit ones. */
    mb2_elf(&b, 2, 64, 1, 2 * 64);
    mb2_meminfo(&b, 1, 2);

    struct boot_info *bi = mb2_parse(&b);
    CHECK_WARNED(bi, "command line", "ignored");
    CHECK_WARNED(bi, "module tag of 12 bytes", NULL);
    CHECK_WARNED(bi, "memory information tag of 12 bytes", NULL);
    CHECK_WARNED(bi, "fewer headers", NULL);
    CHECK_WARNED(bi, "implausible", "entsize=64");
    CHECK_INT_EQ(bi->warning_count, 5);
    CHECK_STR_EQ(bi->cmdline, "");
    CHECK_INT_EQ(bi->module_count, 0);
    CHECK(!bi->has_elf);
    CHECK(bi->has_meminfo);
    CHECK_INT_EQ(bi->mem_upper_kib, 2);
}

static void mb2_cmdline_too_long(void)
{
    static char longline[6000];
    memset(longline, 'q', sizeof longline - 1);
    longline[sizeof longline - 1] = '\0';

    struct mb2 b = mb2_begin(MB2_INFO);
    uint32_t cmd = mb2_string(&b, MB2_TAG_CMDLINE, longline);
    mb2_meminfo(&b, 639, 4096);

    struct boot_info *bi = mb2_parse(&b);
    CHECK(bi->cmdline_cut);
    CHECK_INT_EQ(bi->cmdline_length, 5999);
    CHECK_INT_EQ(strlen(bi->cmdline), CMDLINE_MAX - 1);
    CHECK_RANGE(bi->cmdline_range, cmd + MB2_TAG_HEADER, cmd + MB2_TAG_HEADER + 6000);
    CHECK_WARNED(bi, "5999 bytes", NULL);
}

/* A string tag whose payload has no NUL: nothing of it is taken, for the
 * command line and the loader name alike, and each says which it was. */
static void mb2_strings_without_end(void)
{
    struct mb2 b = mb2_begin(MB2_INFO);
    mb2_tag(&b, MB2_TAG_CMDLINE, "abcdefgh", 8);
    mb2_tag(&b, MB2_TAG_LOADER_NAME, "GRUB", 4);
    mb2_meminfo(&b, 639, 4096);

    struct boot_info *bi = mb2_parse(&b);
    CHECK_INT_EQ(bi->warning_count, 2);
    CHECK_WARNED(bi, "command line at", "has no end");
    CHECK_WARNED(bi, "boot loader name at", "has no end");
    CHECK_STR_EQ(bi->cmdline, "");
    CHECK_INT_EQ(bi->cmdline_length, 0);
    CHECK(!bi->cmdline_cut);
    CHECK_RANGE(bi->cmdline_range, 0, 0);
    CHECK_STR_EQ(bi->loader, "");
    CHECK_RANGE(bi->loader_range, 0, 0);
    CHECK(bi->has_meminfo);
}

static const struct check_test tests[] = {
    TEST(mb2_full),
    TEST(mb2_tag_size_too_small),
    TEST(mb2_tag_past_end),
    TEST(mb2_missing_end_tag),
    TEST(mb2_missing_end_tag_after_bad_tag),
    TEST(mb2_bad_tags_ignored),
    TEST(mb2_cmdline_too_long),
    TEST(mb2_strings_without_end),
};

CHECK_MAIN(tests)
