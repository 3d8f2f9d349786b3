/*
 * gdt.c - replace the boot loader's GDT with our own. The Multiboot specs
 * leave GDTR undefined at entry, so the kernel must load one before it
 * reloads any segment register.
 */
#include "gdt.h"

#include <stdint.h>

#define SEG_PRESENT     0x80
#define SEG_RING3       0x60
#define SEG_CODE_DATA   0x10    /* not a system segment */
#define SEG_EXEC        0x08
#define SEG_RW          0x02    /* writable data, readable code */
#define GRAN_4K         0x80
#define GRAN_32BIT      0x40

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

/* Flat 4 GiB segments: base 0, limit 0xFFFFF pages. */
#define FLAT(access) { 0xFFFF, 0, 0, (access), GRAN_4K | GRAN_32BIT | 0x0F, 0 }

static struct gdt_entry gdt[] = {
    { 0, 0, 0, 0, 0, 0 },
    FLAT(SEG_PRESENT | SEG_CODE_DATA | SEG_EXEC | SEG_RW),
    FLAT(SEG_PRESENT | SEG_CODE_DATA | SEG_RW),
    FLAT(SEG_PRESENT | SEG_RING3 | SEG_CODE_DATA | SEG_EXEC | SEG_RW),
    FLAT(SEG_PRESENT | SEG_RING3 | SEG_CODE_DATA | SEG_RW),
};

void gdt_init(void)
{
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
        :
        : "m"(p), "i"(GDT_KERNEL_CODE), "i"(GDT_KERNEL_DATA)
        : "eax", "memory");
}
