/*
 * gdt.h - the kernel's own segment descriptors: flat code and data for the
 * kernel and for user mode, and three task state segments: the kernel's own
 * (the CPU saves the interrupted state there on a task switch, and later
 * reads the ring-0 stack from it), the page-fault task's and the
 * double-fault task's.
 */
#ifndef GDT_H
#define GDT_H

#define GDT_KERNEL_CODE         0x08
#define GDT_KERNEL_DATA         0x10
#define GDT_USER_CODE           0x1B    /* selector 0x18, requested privilege 3 */
#define GDT_USER_DATA           0x23    /* selector 0x20, requested privilege 3 */
#define GDT_KERNEL_TSS          0x28
#define GDT_DOUBLE_FAULT_TSS    0x30
#define GDT_PAGE_FAULT_TSS      0x38
/* Three slots a user thread fills with set_thread_area (its TLS), loaded
 * into the GDT whenever that thread runs; %gs names one of them. */
#define GDT_TLS_FIRST           0x40
#define GDT_TLS_ENTRIES         3
#define GDT_TLS_FIRST_INDEX     (GDT_TLS_FIRST >> 3)

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

struct tss {
    uint16_t link, reserved0;
    uint32_t esp0;
    uint16_t ss0, reserved1;
    uint32_t esp1;
    uint16_t ss1, reserved2;
    uint32_t esp2;
    uint16_t ss2, reserved3;
    uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint16_t es, reserved4, cs, reserved5, ss, reserved6, ds, reserved7;
    uint16_t fs, reserved8, gs, reserved9, ldt, reserved10;
    uint16_t trap, iomap_base;
} __attribute__((packed));

extern struct tss kernel_tss;
extern struct tss double_fault_tss;
extern struct tss page_fault_tss;

/* Fills in and loads the GDT, and the kernel's task register. */
void gdt_init(void);
/*
 * User code may run only below code_end: the user code segment's limit. On
 * i386 without PAE no page can be made non-executable, so this is how a
 * jump into a program's data, heap or stack is refused (as Linux's
 * exec-shield did): they all lie above its code. 0 means all of user space.
 */
void gdt_set_user_code_end(uint32_t code_end);
/* A user data descriptor (ring 3) from its parts, as set_thread_area
 * describes one: type is the 4-bit segment type, e.g. 0x2 read/write data. */
uint64_t gdt_user_descriptor(uint32_t base, uint32_t limit, unsigned type, bool present,
                             bool limit_in_pages, bool big, bool available);
/* Loads a thread's TLS descriptors into the GDT's TLS slots. */
void gdt_load_tls(const uint64_t tls[GDT_TLS_ENTRIES]);
#endif

#endif
