/*
 * demo.h - runs the demos of the registry (registry.h). A demo that faults
 * on purpose is reported and abandoned; the kernel carries on.
 */
#ifndef DEMO_H
#define DEMO_H

#include <stdbool.h>

struct cmdline;
/* What the demos may read: the arguments and environment of the boot. */
void demo_set_cmdline(const struct cmdline *c);
const struct cmdline *demo_cmdline(void);

/* Runs the named demo and writes its @demo line; false when no demo has
 * that name. Demos may run demos (demo=all, demo=code). */
bool demo_run(const char *name);

#endif
