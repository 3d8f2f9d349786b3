/*
 * paging.c - build, change and explain the kernel's page tables.
 */
#include "mm/paging.h"

#include "arch/irq.h"
#include "console/console.h"
#include "mm/kframes.h"
#include "arch/gdt.h"
#include "console/panic.h"
#include "lib/string.h"
#include "memlayout.h"
#include "sections.h"
#include "console/protocol.h"

#define PD_INDEX(va)    ((uint32_t)(va) >> LARGE_PAGE_SHIFT)
#define PT_INDEX(va)    (((uint32_t)(va) >> PAGE_SHIFT) & (PT_ENTRIES - 1))

/* The kernel's own directory and the table for its first 4 MiB, in .bss. */
static uint32_t kernel_pd[PT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static uint32_t kernel_pt0[PT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static bool identity_present = true;
static bool kernel_pd_active;
/* The processes' directories, each mapped at PROC_DIRS_VIRT + slot pages;
 * NULL where a slot is free. Their kernel halves are kernel_pd's. */
static uint32_t *proc_dirs[PROC_DIRS_MAX];

/* ---- before paging_init: the boot directory ---------------------------------- */

const void *early_window(uint64_t phys, uint32_t len)
{
    if (!identity_present || phys >= BOOT_IDENTITY_END ||
        len > BOOT_IDENTITY_END - phys)
        return 0;
    return (const void *)(uintptr_t)phys;
}

static inline void load_cr3(uint32_t phys)
{
    __asm__ volatile("mov %0, %%cr3" : : "r"(phys) : "memory");
}

static inline void invlpg(uintptr_t va)
{
    __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

void paging_drop_identity(void)
{
    for (int i = 0; i < BOOT_IDENTITY_SLOTS; i++)
        boot_page_directory[i] = 0;
    load_cr3(VIRT_TO_PHYS(boot_page_directory));
    identity_present = false;
}

bool paging_identity_present(void)
{
    const uint32_t *pd = kernel_pd_active ? kernel_pd : boot_page_directory;
    for (int i = 0; i < BOOT_IDENTITY_SLOTS; i++)
        if (pd[i] & PTE_PRESENT)
            return true;
    return false;
}

/* ---- the kernel's directory ---------------------------------------------------- */

/* Page flags for a page of the kernel image, as linker.ld's PHDRS declare. */
static uint32_t image_page_flags(uintptr_t va)
{
    uintptr_t page = va;
    if (page >= (uintptr_t)_boot_stack_guard_start && page < (uintptr_t)_boot_stack_guard_end)
        return 0;                               /* the guard: never present */
    if (page < (uintptr_t)_data_start)
        return PTE_PRESENT;                     /* headers, text, rodata */
    return PTE_PRESENT | PTE_WRITE;             /* data, bss, stack */
}

uint32_t paging_directory_phys(void)
{
    return VIRT_TO_PHYS(kernel_pd);
}

void paging_init(void)
{
    memset(kernel_pd, 0, sizeof kernel_pd);
    memset(kernel_pt0, 0, sizeof kernel_pt0);
    /* The first MiB: BIOS data, VGA. Read-write, kernel only. */
    for (uint32_t pa = 0; pa < LOW_MIB_END; pa += PAGE_SIZE)
        kernel_pt0[PT_INDEX(pa)] = pa | PTE_PRESENT | PTE_WRITE;
    for (uintptr_t va = (uintptr_t)_kernel_start; va < (uintptr_t)_kernel_end;
         va += PAGE_SIZE) {
        uint32_t flags = image_page_flags(va);
        if (flags)
            kernel_pt0[PT_INDEX(va)] = VIRT_TO_PHYS(va) | flags;
    }
    kernel_pd[PD_INDEX(KERNEL_VIRT_BASE)] = VIRT_TO_PHYS(kernel_pt0) | PTE_PRESENT | PTE_WRITE;
    kernel_pd[RECURSIVE_SLOT] = VIRT_TO_PHYS(kernel_pd) | PTE_PRESENT | PTE_WRITE;
    load_cr3(VIRT_TO_PHYS(kernel_pd));
    kernel_pd_active = true;
    /* A task switch loads CR3 from the TSS: every TSS must name this directory. */
    kernel_tss.cr3 = double_fault_tss.cr3 = page_fault_tss.cr3 = VIRT_TO_PHYS(kernel_pd);
    identity_present = false;

    uint32_t cr0;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("mov %0, %%cr0" : : "r"(cr0 | CR0_WP));
}

/* Through the recursive slot: the directory, and the table for any va. */
static inline uint32_t *pd_entry(uintptr_t va)
{
    return (uint32_t *)PAGE_DIR_VIRT + PD_INDEX(va);
}

static inline uint32_t *pt_entry(uintptr_t va)
{
    return (uint32_t *)PAGE_TABLES_VIRT + (va >> PAGE_SHIFT);
}

static inline uintptr_t table_virt(uintptr_t va)
{
    return PAGE_TABLES_VIRT + PD_INDEX(va) * PAGE_SIZE;
}

/* A new table in the kernel half goes into every directory at once, so
 * that the kernel looks the same whichever process is live. */
static void share_kernel_table(uintptr_t va, uint32_t pde)
{
    kernel_pd[PD_INDEX(va)] = pde;
    for (int i = 0; i < PROC_DIRS_MAX; i++)
        if (proc_dirs[i])
            proc_dirs[i][PD_INDEX(va)] = pde;
}

int paging_map(uintptr_t va, uint32_t pa, uint32_t flags)
{
    uint32_t *pde = pd_entry(va);
    /* Replacing a mapping would leak its frame, or hand out a frame that
     * someone still uses: no caller means to, so it is a bug. */
    if ((*pde & PTE_PRESENT) && (*pt_entry(va) & PTE_PRESENT))
        panic("paging_map: virtual 0x%08lx is already mapped to frame 0x%08x; "
              "refusing to map frame 0x%08x over it", (unsigned long)va,
              *pt_entry(va) & PTE_FRAME_MASK, pa & PTE_FRAME_MASK);
    if (!(*pde & PTE_PRESENT)) {
        uint32_t table = frame_alloc();
        if (table == PMM_NO_FRAME)
            return -1;
        /* A user-half table lets its entries decide: each page says
         * whether ring 3 may use it. */
        *pde = table | PTE_PRESENT | PTE_WRITE |
               (va < KERNEL_VIRT_BASE ? PTE_USER : (flags & PTE_USER));
        if (va >= KERNEL_VIRT_BASE && kernel_pd_active)
            share_kernel_table(va, *pde);
        invlpg(table_virt(va));
        memset((void *)table_virt(va), 0, PAGE_SIZE);
    } else if (flags & PTE_USER) {
        *pde |= PTE_USER;
    }
    *pt_entry(va) = (pa & PTE_FRAME_MASK) | (flags & PTE_FLAGS_MASK) | PTE_PRESENT;
    invlpg(va);
    return 0;
}

uint32_t paging_unmap(uintptr_t va)
{
    if (!(*pd_entry(va) & PTE_PRESENT))
        return 0;
    uint32_t old = *pt_entry(va);
    if (!(old & PTE_PRESENT))
        return 0;
    *pt_entry(va) = 0;
    invlpg(va);
    return old & PTE_FRAME_MASK;
}

int paging_protect(uintptr_t va, uint32_t flags)
{
    if (!(*pd_entry(va) & PTE_PRESENT) || !(*pt_entry(va) & PTE_PRESENT))
        return -1;
    uint32_t *pte = pt_entry(va);
    *pte = (*pte & PTE_FRAME_MASK) | (flags & PTE_FLAGS_MASK) | PTE_PRESENT;
    invlpg(va);
    return 0;
}

bool paging_translate(uintptr_t va, uint32_t *pa, uint32_t *flags)
{
    uint32_t pde = *pd_entry(va);
    if (!(pde & PTE_PRESENT))
        return false;
    uint32_t pte = *pt_entry(va);
    if (!(pte & PTE_PRESENT))
        return false;
    /* Both levels must allow a write (or a user access) for it to happen. */
    uint32_t f = pte & PTE_FLAGS_MASK;
    f &= (pde & (PTE_WRITE | PTE_USER)) | ~(uint32_t)(PTE_WRITE | PTE_USER);
    if (pa)
        *pa = (pte & PTE_FRAME_MASK) | ((uint32_t)va & (PAGE_SIZE - 1));
    if (flags)
        *flags = f;
    return true;
}

/* ---- the processes' directories ------------------------------------------------ */

void paging_load(uint32_t cr3)
{
    load_cr3(cr3);
    /* A task switch (the fault tasks) loads CR3 from the TSS: keep them all
     * naming the live directory. */
    kernel_tss.cr3 = double_fault_tss.cr3 = page_fault_tss.cr3 = cr3;
}

static uint32_t current_cr3(void)
{
    uint32_t cr3;
    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    return cr3;
}

int paging_dir_create(uint32_t *phys)
{
    int slot = -1;
    for (int i = 0; i < PROC_DIRS_MAX && slot < 0; i++)
        if (!proc_dirs[i])
            slot = i;
    uint32_t frame = slot >= 0 ? frame_alloc() : PMM_NO_FRAME;
    if (frame == PMM_NO_FRAME)
        return -1;
    uintptr_t va = PROC_DIRS_VIRT + (uint32_t)slot * PAGE_SIZE;
    if (paging_map(va, frame, PTE_WRITE) != 0) {
        frame_free(frame);
        return -1;
    }
    uint32_t *pd = (uint32_t *)va;
    memset(pd, 0, PAGE_SIZE);
    for (uint32_t i = PD_INDEX(KERNEL_VIRT_BASE); i < RECURSIVE_SLOT; i++)
        pd[i] = kernel_pd[i];
    pd[RECURSIVE_SLOT] = frame | PTE_PRESENT | PTE_WRITE;
    proc_dirs[slot] = pd;
    *phys = frame;
    return slot;
}

/* Frees every frame of the user half of the live directory, and its tables;
 * frames marked PTE_SHARED belong to someone else (a module) and stay. */
static unsigned free_user_half(void)
{
    unsigned freed = 0;
    uint32_t *pd = (uint32_t *)PAGE_DIR_VIRT;
    for (uint32_t di = 0; di < PD_INDEX(KERNEL_VIRT_BASE); di++) {
        if (!(pd[di] & PTE_PRESENT))
            continue;
        uint32_t *pt = (uint32_t *)PAGE_TABLES_VIRT + di * PT_ENTRIES;
        for (uint32_t ti = 0; ti < PT_ENTRIES; ti++)
            if ((pt[ti] & PTE_PRESENT) && !(pt[ti] & PTE_SHARED)) {
                frame_free(pt[ti] & PTE_FRAME_MASK);
                freed++;
            }
        frame_free(pd[di] & PTE_FRAME_MASK);
        pd[di] = 0;
    }
    return freed;
}

unsigned paging_dir_destroy(int slot)
{
    if (slot < 0 || slot >= PROC_DIRS_MAX || !proc_dirs[slot])
        panic("paging_dir_destroy: no directory in slot %d", slot);
    uintptr_t va = PROC_DIRS_VIRT + (uint32_t)slot * PAGE_SIZE;
    uint32_t phys = proc_dirs[slot][RECURSIVE_SLOT] & PTE_FRAME_MASK;
    uint32_t back = current_cr3();
    if (back == phys)
        back = VIRT_TO_PHYS(kernel_pd);
    uint32_t flags = irq_save();
    paging_load(phys);                  /* its tables appear at PAGE_TABLES_VIRT */
    unsigned freed = free_user_half();
    paging_load(back);
    irq_restore(flags);
    proc_dirs[slot] = 0;
    frame_free(paging_unmap(va));
    return freed;
}

/*
 * Pages a heap gives back are not left unmapped: they map one shared frame
 * of zeroes, read-only. A heap checks a stale pointer (a double free, say)
 * by reading the head in front of it; that head may lie on a page given
 * back, and reading it must give a wrong head, not a page fault. Writing
 * there still faults. The zero frame is the first frame given back,
 * cleared.
 */
static uint32_t zero_frame;

void paging_release_range(void *ctx, uintptr_t va, size_t bytes)
{
    (void)ctx;
    for (uintptr_t a = va; a < va + bytes; a += PAGE_SIZE) {
        uint32_t pa;
        if (!paging_translate(a, &pa, 0))
            continue;
        pa &= PTE_FRAME_MASK;
        if (pa == zero_frame)
            continue;
        if (!zero_frame) {
            memset((void *)a, 0, PAGE_SIZE);
            zero_frame = pa;
            paging_protect(a, 0);
            continue;
        }
        frame_free(paging_unmap(a));
        paging_map(a, zero_frame, 0);   /* its table is there: cannot fail */
    }
}

int paging_back_range(void *ctx, uintptr_t va, size_t bytes)
{
    for (uintptr_t a = va; a < va + bytes; a += PAGE_SIZE) {
        uint32_t frame = frame_alloc();
        if (frame != PMM_NO_FRAME) {
            uint32_t old = paging_unmap(a);     /* the zero frame, or nothing */
            if (old && old != zero_frame)
                frame_free(old);
        }
        if (frame == PMM_NO_FRAME || paging_map(a, frame, PTE_WRITE) != 0) {
            if (frame != PMM_NO_FRAME)
                frame_free(frame);
            paging_release_range(ctx, va, a - va);
            return -1;
        }
    }
    return 0;
}

static const char *flag_words(uint32_t e, char *buf, int size)
{
    format_buf(buf, (size_t)size, "%s, %s, %s%s%s",
               e & PTE_PRESENT ? "present" : "not present",
               e & PTE_WRITE ? "writable" : "read-only",
               e & PTE_USER ? "user" : "kernel only",
               e & PTE_ACCESSED ? ", accessed" : "",
               e & PTE_DIRTY ? ", dirty" : "");
    return buf;
}

void paging_walk_print(uintptr_t va)
{
    char words[64];
    uint32_t pde = *pd_entry(va);
    kprintf("page walk for 0x%08lx:\n", (unsigned long)va);
    kprintf("  directory entry %u = 0x%08x (%s)\n", PD_INDEX(va), pde,
            flag_words(pde, words, sizeof words));
    if (!(pde & PTE_PRESENT)) {
        kprintf("  no page table: the address is not mapped\n");
        return;
    }
    uint32_t pte = *pt_entry(va);
    kprintf("  table at frame 0x%08x, entry %u = 0x%08x (%s)\n", pde & PTE_FRAME_MASK,
            PT_INDEX(va), pte, flag_words(pte, words, sizeof words));
    if (pte & PTE_PRESENT)
        kprintf("  -> physical 0x%08x (frame 0x%08x + offset 0x%03lx)\n",
                (pte & PTE_FRAME_MASK) | ((uint32_t)va & (PAGE_SIZE - 1)), pte & PTE_FRAME_MASK,
                (unsigned long)(va & (PAGE_SIZE - 1)));
    else
        kprintf("  the page is not present\n");
}

static const char *map_flags(uint32_t f)
{
    switch (f & (PTE_WRITE | PTE_USER)) {
    case PTE_WRITE:            return "P,W";
    case PTE_USER:             return "P,U";
    case PTE_WRITE | PTE_USER: return "P,W,U";
    default:                   return "P";
    }
}

struct run {
    uint64_t start, end;
    uint32_t phys, flags;
    bool open;
};

static void run_flush(struct run *r)
{
    if (r->open)
        proto_map(r->start, r->end, r->phys, map_flags(r->flags));
    r->open = false;
}

void paging_print_maps(void)
{
    struct run r = { 0, 0, 0, 0, false };
    for (uint32_t di = 0; di < RECURSIVE_SLOT; di++) {
        uint32_t pde = ((uint32_t *)PAGE_DIR_VIRT)[di];
        if (!(pde & PTE_PRESENT)) {
            run_flush(&r);
            continue;
        }
        for (uint32_t ti = 0; ti < PT_ENTRIES; ti++) {
            uint64_t va = ((uint64_t)di << LARGE_PAGE_SHIFT) | ((uint64_t)ti << PAGE_SHIFT);
            uint32_t pa, f;
            if (!paging_translate((uintptr_t)va, &pa, &f)) {
                run_flush(&r);
                continue;
            }
            f &= PTE_WRITE | PTE_USER;
            if (r.open && r.end == va && f == r.flags &&
                r.phys + (uint32_t)(r.end - r.start) == pa) {
                r.end += PAGE_SIZE;
                continue;
            }
            run_flush(&r);
            r = (struct run){ va, va + PAGE_SIZE, pa, f, true };
        }
    }
    run_flush(&r);
}
