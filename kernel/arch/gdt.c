/*
 * gdt.c - replace the boot loader's GDT with our own. The Multiboot specs
 * leave GDTR undefined at entry, so the kernel must load one before it
 * reloads any segment register.
 */
#include "arch/gdt.h"

#define SEG_PRESENT     0x80
#define SEG_RING3       0x60
#define SEG_CODE_DATA   0x10    /* not a system segment */
#define SEG_EXEC        0x08
#define SEG_RW          0x02    /* writable data, readable code */
#define SEG_TSS32       0x09    /* available 32-bit TSS */
#define GRAN_4K         0x80    /* the limit counts 4 KiB pages, not bytes */
#define GRAN_32BIT      0x40

#define FLAT_LIMIT      0xFFFFF /* pages: all 4 GiB */
/* A selector's low bits are the requested privilege and the table (GDT/LDT). */
#define GDT_INDEX(selector) ((selector) >> 3)
#define GDT_ENTRIES     (GDT_TLS_FIRST_INDEX + GDT_TLS_ENTRIES)
#define GRAN_AVAILABLE  0x10    /* the bit software may use */

struct gdt_entry {
    uint16_t limit_low;
    uint16_t base_low;
    uint8_t base_mid;
    uint8_t access;
    uint8_t granularity;        /* flags and limit bits 16..19 */
    uint8_t base_high;
} __attribute__((packed));

struct gdt_ptr {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed));

static struct gdt_entry gdt[GDT_ENTRIES];       /* entry 0 stays null */

struct tss kernel_tss;
struct tss double_fault_tss;
struct tss page_fault_tss;

static void set_descriptor(uint16_t selector, uint32_t base, uint32_t limit,
                           uint8_t access, uint8_t flags)
{
    gdt[GDT_INDEX(selector)] = (struct gdt_entry){
        limit & 0xFFFF, base & 0xFFFF, (base >> 16) & 0xFF,
        access, flags | ((limit >> 16) & 0x0F), base >> 24,
    };
}

/* Base 0, limit 4 GiB: segmentation out of the way, paging does the work. */
static void set_flat(uint16_t selector, uint8_t access)
{
    set_descriptor(selector, 0, FLAT_LIMIT, access, GRAN_4K | GRAN_32BIT);
}

static void set_tss(uint16_t selector, struct tss *t)
{
    set_descriptor(selector, (uint32_t)(uintptr_t)t, sizeof *t - 1,
                   SEG_PRESENT | SEG_TSS32, 0);
    t->iomap_base = sizeof *t;  /* no I/O permission bitmap */
}

void gdt_set_user_code_end(uint32_t code_end)
{
    uint32_t pages = code_end ? (code_end + 0xFFF) >> 12 : 0;
    uint32_t limit = pages ? pages - 1 : FLAT_LIMIT;
    set_descriptor(GDT_USER_CODE, 0, limit,
                   SEG_PRESENT | SEG_RING3 | SEG_CODE_DATA | SEG_EXEC | SEG_RW,
                   GRAN_4K | GRAN_32BIT);
}

uint64_t gdt_user_descriptor(uint32_t base, uint32_t limit, unsigned type, bool present,
                             bool limit_in_pages, bool big, bool available)
{
    uint8_t access = (uint8_t)((present ? SEG_PRESENT : 0) | SEG_RING3 | SEG_CODE_DATA |
                               (type & 0xF));
    uint8_t flags = (uint8_t)((limit_in_pages ? GRAN_4K : 0) | (big ? GRAN_32BIT : 0) |
                              (available ? GRAN_AVAILABLE : 0));
    struct gdt_entry e = {
        limit & 0xFFFF, base & 0xFFFF, (base >> 16) & 0xFF,
        access, flags | ((limit >> 16) & 0x0F), base >> 24,
    };
    uint64_t raw;
    __builtin_memcpy(&raw, &e, sizeof raw);
    return raw;
}

void gdt_load_tls(const uint64_t tls[GDT_TLS_ENTRIES])
{
    __builtin_memcpy(&gdt[GDT_TLS_FIRST_INDEX], tls, GDT_TLS_ENTRIES * sizeof(uint64_t));
}

void gdt_init(void)
{
    set_flat(GDT_KERNEL_CODE, SEG_PRESENT | SEG_CODE_DATA | SEG_EXEC | SEG_RW);
    set_flat(GDT_KERNEL_DATA, SEG_PRESENT | SEG_CODE_DATA | SEG_RW);
    set_flat(GDT_USER_CODE, SEG_PRESENT | SEG_RING3 | SEG_CODE_DATA | SEG_EXEC | SEG_RW);
    set_flat(GDT_USER_DATA, SEG_PRESENT | SEG_RING3 | SEG_CODE_DATA | SEG_RW);
    set_tss(GDT_KERNEL_TSS, &kernel_tss);
    set_tss(GDT_DOUBLE_FAULT_TSS, &double_fault_tss);
    set_tss(GDT_PAGE_FAULT_TSS, &page_fault_tss);
    struct gdt_ptr p = { sizeof gdt - 1, (uint32_t)(uintptr_t)gdt };
    __asm__ volatile(
        "lgdt %0\n\t"
        "ljmp %1, $1f\n"
        "1:\n\t"
        "mov %2, %%ax\n\t"
        "mov %%ax, %%ds\n\t"
        "mov %%ax, %%es\n\t"
        "mov %%ax, %%fs\n\t"
        "mov %%ax, %%gs\n\t"
        "mov %%ax, %%ss\n\t"
        "mov %3, %%ax\n\t"
        "ltr %%ax\n\t"
        :
        : "m"(p), "i"(GDT_KERNEL_CODE), "i"(GDT_KERNEL_DATA), "i"(GDT_KERNEL_TSS)
        : "eax", "memory");
}
