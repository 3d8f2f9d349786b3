/*
 * paging.c - what the kernel does with the boot page directory.
 */
#include "paging.h"

#include "memlayout.h"

static bool identity_present = true;

const void *early_window(uint64_t phys, uint32_t len)
{
    if (!identity_present || phys >= BOOT_IDENTITY_END ||
        len > BOOT_IDENTITY_END - phys)
        return 0;
    return (const void *)(uintptr_t)phys;
}

static inline void reload_cr3(void)
{
    uint32_t cr3;
    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    __asm__ volatile("mov %0, %%cr3" : : "r"(cr3) : "memory");
}

void paging_drop_identity(void)
{
    for (int i = 0; i < BOOT_IDENTITY_SLOTS; i++)
        boot_page_directory[i] = 0;
    reload_cr3();
    identity_present = false;
}

bool paging_identity_present(void)
{
    for (int i = 0; i < BOOT_IDENTITY_SLOTS; i++)
        if (boot_page_directory[i] & PTE_PRESENT)
            return true;
    return false;
}
