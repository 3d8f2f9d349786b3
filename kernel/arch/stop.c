/*
 * stop.c - the two ways a run ends: QEMU powered off with an exit status,
 * or the CPU halted with interrupts off.
 */
#include "arch/stop.h"

#include "arch/ports.h"
#include "memlayout.h"

static bool exit_on_stop;

void machine_set_exit(bool exit)
{
    exit_on_stop = exit;
}

bool machine_exits(void)
{
    return exit_on_stop;
}

void machine_stop(bool success)
{
    if (exit_on_stop) {
        /* On QEMU this never returns; on a machine without the device it
         * is a write to an unused port, and we fall through to halting. */
        outb(DEBUG_EXIT_PORT, success ? DEBUG_EXIT_SUCCESS : DEBUG_EXIT_FAILURE);
    }
    for (;;)
        __asm__ volatile("cli; hlt");
}
