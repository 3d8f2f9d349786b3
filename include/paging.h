/*
 * paging.h - the kernel's page tables. For now: the boot page directory that
 * entry.S builds, the early window through it, and retiring its identity half.
 */
#ifndef PAGING_H
#define PAGING_H

#include <stdbool.h>
#include <stdint.h>

#define PTE_PRESENT     0x001
#define PTE_WRITE       0x002
#define PTE_USER        0x004
#define PDE_LARGE       0x080

extern uint32_t boot_page_directory[1024];
extern uint32_t boot_page_table[1024];

/* Physical memory as seen while the identity mapping lasts (below 3 GiB). */
const void *early_window(uint64_t phys, uint32_t len);
/* Clears the identity slots and flushes the TLB; early_window fails after. */
void paging_drop_identity(void);
bool paging_identity_present(void);

#endif
