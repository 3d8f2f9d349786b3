/*
 * panic.c - the two ways a run ends, and the stack protector's last word.
 */
#include "kernel.h"

#include <stdint.h>

#include "console/console.h"
#include "memlayout.h"
#include "arch/ports.h"
#include "console/serial.h"
#include "console/vga.h"

bool kernel_exit_on_stop;

void kernel_stop(bool success)
{
    if (kernel_exit_on_stop) {
        /* On QEMU this never returns; on a machine without the device it
         * is a write to an unused port, and we fall through to halting. */
        outb(DEBUG_EXIT_PORT, success ? DEBUG_EXIT_SUCCESS : DEBUG_EXIT_FAILURE);
    }
    for (;;)
        __asm__ volatile("cli; hlt");
}

void panic(const char *fmt, ...)
{
    __asm__ volatile("cli");            /* nothing may run between the lines below */
    char reason[200];
    va_list ap;
    va_start(ap, fmt);
    format_buf_v(reason, sizeof reason, fmt, ap);
    va_end(ap);

    console_use_vga(true);              /* a panic always reaches the screen */
    vga_set_attr(VGA_ATTR(VGA_WHITE, VGA_RED));
    kprintf("\nmematlas: PANIC: %s\n", reason);
    serial_write("@panic reason=");
    serial_put_quoted(reason);
    serial_putc('\n');
    kprintf("mematlas: stopped%s.\n",
            kernel_exit_on_stop ? "; QEMU exits with code 35" : "; the CPU is halted");
    kernel_stop(false);
}

/* -fstack-protector with -mstack-protector-guard=global reads this word. */
uintptr_t __stack_chk_guard;
__attribute__((noreturn)) void __stack_chk_fail(void);

__attribute__((noreturn)) void __stack_chk_fail(void)
{
    panic("stack smashing detected: a function's canary was overwritten "
          "(called from %p)", __builtin_return_address(0));
}
