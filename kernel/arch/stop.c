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

void machine_exit(bool success)
{
    /* On QEMU with the device this never returns; elsewhere it is a write to
     * an unused port, and the caller goes on to say so and halt. */
    if (exit_on_stop)
        outb(DEBUG_EXIT_PORT, success ? DEBUG_EXIT_SUCCESS : DEBUG_EXIT_FAILURE);
}

void machine_halt(void)
{
    for (;;)
        __asm__ volatile("cli; hlt");
}

void machine_stop(bool success)
{
    machine_exit(success);
    machine_halt();
}
