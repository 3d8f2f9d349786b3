/*
 * demo.h - demonstrations chosen with demo=NAME on the command line. A demo
 * that faults on purpose is reported and abandoned; the kernel carries on.
 */
#ifndef DEMO_H
#define DEMO_H

#include <stdbool.h>
#include <stdint.h>

#define TRACED_SLOTS 6
/* The stack slots of the two traced add() calls of the stack demo. */
extern uintptr_t traced_slots[2][TRACED_SLOTS];

struct cmdline;
/* What the demos may read: the arguments and environment of the boot. */
void demo_set_cmdline(const struct cmdline *c);
const struct cmdline *demo_cmdline(void);
/* "@claim name=... result=holds|differs detail=..." and a line for people. */
void claim(const char *demo, bool holds, const char *detail);

/* Runs the named demo; false when no demo has that name. */
bool demo_run(const char *name);
/* "text-write rodata-write ..." for messages. */
const char *demo_names(void);

#endif
