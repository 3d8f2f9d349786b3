/*
 * demo.h - demonstrations chosen with demo=NAME on the command line. A demo
 * that faults on purpose is reported and abandoned; the kernel carries on.
 */
#ifndef DEMO_H
#define DEMO_H

#include <stdbool.h>

/* Runs the named demo; false when no demo has that name. */
bool demo_run(const char *name);
/* "text-write rodata-write ..." for messages. */
const char *demo_names(void);

#endif
