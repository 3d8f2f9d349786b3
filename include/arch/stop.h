/*
 * stop.h - ending a run: power QEMU off through its isa-debug-exit device
 * when the command line asked for it, otherwise halt the CPU for good.
 */
#ifndef STOP_H
#define STOP_H

#include <stdbool.h>

/* "exit" on the command line: stop by leaving QEMU rather than halting. */
void machine_set_exit(bool exit);
bool machine_exits(void);
/* Ends the run: QEMU exits 33 (success) or 35 (failure) when exiting was
 * asked for; otherwise, or without the device, the CPU halts. */
__attribute__((noreturn)) void machine_stop(bool success);

#endif
