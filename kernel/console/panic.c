/*
 * panic.c - the kernel's last word when an invariant breaks, and the stack
 * protector's.
 */
#include "console/panic.h"

#include <stdint.h>

#include "arch/stop.h"
#include "console/console.h"
#include "console/protocol.h"
#include "console/vga.h"
#include "memlayout.h"

#define PANIC_REASON_MAX    200

void panic(const char *fmt, ...)
{
    __asm__ volatile("cli");            /* nothing may run between the lines below */
    char reason[PANIC_REASON_MAX];
    va_list ap;
    va_start(ap, fmt);
    format_buf_v(reason, sizeof reason, fmt, ap);
    va_end(ap);

    console_use_vga(true);              /* a panic always reaches the screen */
    vga_set_attr(VGA_ATTR(VGA_WHITE, VGA_RED));
    kprintf("\nmematlas: PANIC: %s\n", reason);
    proto_panic(reason);
    if (machine_exits())
        kprintf("mematlas: stopped; QEMU exits with code %d.\n",
                QEMU_EXIT_CODE(DEBUG_EXIT_FAILURE));
    else
        kprintf("mematlas: stopped; the CPU is halted.\n");
    machine_stop(false);
}

/* -fstack-protector with -mstack-protector-guard=global reads this word. */
uintptr_t __stack_chk_guard;
__attribute__((noreturn)) void __stack_chk_fail(void);

__attribute__((noreturn)) void __stack_chk_fail(void)
{
    panic("stack smashing detected: a function's canary was overwritten "
          "(called from %p)", __builtin_return_address(0));
}
