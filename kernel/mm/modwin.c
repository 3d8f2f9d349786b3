/*
 * modwin.c - map the boot modules into the module window (modwin.h).
 */
#include "mm/modwin.h"

#include "arch/mmu.h"
#include "console/protocol.h"
#include "lib/string.h"
#include "memlayout.h"
#include "mm/paging.h"

static struct {
    uint32_t offset, size;              /* size 0: not mapped */
    char string[BOOT_MODCMD_MAX];       /* the loader's string for it */
} mods[BOOT_MODULES_MAX];

void modwin_init(const struct boot_info *bi)
{
    uint32_t cursor = 0;
    for (unsigned i = 0; i < bi->module_count; i++) {
        struct boot_range r = bi->modules[i].range;
        if (r.end <= r.start || r.end > 0x100000000ull)
            continue;
        uint32_t first = (uint32_t)PAGE_ALIGN_DOWN(r.start);
        uint32_t bytes = (uint32_t)(PAGE_ALIGN_UP(r.end) - first);
        if (bytes > MODULES_SIZE - cursor) {
            proto_warnf("modules", "module %u (%lu bytes) does not fit in the %u MiB module "
                        "window; it is left out", i, (unsigned long)(r.end - r.start),
                        MODULES_SIZE >> 20);
            continue;
        }
        uint32_t mapped = 0;
        while (mapped < bytes &&
               paging_map(MODULES_VIRT + cursor + mapped, first + mapped, 0) == 0)
            mapped += PAGE_SIZE;
        if (mapped < bytes) {
            proto_warnf("modules", "no memory for the page tables of module %u", i);
            return;
        }
        mods[i].offset = cursor + (uint32_t)(r.start - first);
        mods[i].size = (uint32_t)(r.end - r.start);
        str_copy(mods[i].string, bi->modules[i].cmdline, sizeof mods[i].string);
        cursor += bytes;
    }
}

const uint8_t *modwin_module(unsigned i, uint32_t *size, uint32_t *offset)
{
    if (i >= BOOT_MODULES_MAX || !mods[i].size)
        return 0;
    *size = mods[i].size;
    *offset = mods[i].offset;
    return (const uint8_t *)(uintptr_t)(MODULES_VIRT + mods[i].offset);
}

const char *modwin_string(unsigned i)
{
    return i < BOOT_MODULES_MAX && mods[i].size ? mods[i].string : 0;
}

uint32_t modwin_frame(uint32_t offset)
{
    uint32_t pa;
    if (offset >= MODULES_SIZE || (offset & (PAGE_SIZE - 1)) ||
        !paging_translate(MODULES_VIRT + offset, &pa, 0))
        return 0;
    return pa;
}
