/*
 * tour.c - demo=all: every demo the registry marks as part of the tour, in
 * the registry's order, which is the guide's.
 */
#include "guide/tour.h"

#include "guide/demo.h"
#include "guide/registry.h"

void tour_all(void)
{
    const struct demo *d;
    for (unsigned i = 0; (d = demo_at(i)); i++)
        if (d->in_tour)
            demo_run(d->name);
}
