/*
 * registry.h - every demo that demo=NAME can run, in one table: its name,
 * its function, one line about it, and what to do if it faults. Messages,
 * the runner and demo=all all read the table; nothing else lists demos.
 */
#ifndef REGISTRY_H
#define REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

struct demo {
    const char *name;
    void (*run)(void);
    const char *what;           /* one line, under the demo's heading */
    /* Ends a demo whose own code faulted: undoes what the demo broke and
     * writes its @demo line. NULL: the runner writes the plain @demo line. */
    void (*after_fault)(const char *name, int vector);
    bool in_tour;               /* demo=all runs it, in the table's order */
};

/* The demo called name, or NULL. */
const struct demo *demo_find(const char *name);
/* The i-th demo of the table, or NULL past its end. */
const struct demo *demo_at(unsigned i);

/* Room for every name, separated by spaces. */
#define DEMO_NAMES_MAX 256
/* "layout stack heap ...": every name, in the table's order, into buf. */
void demo_names(char *buf, size_t size);

#endif
