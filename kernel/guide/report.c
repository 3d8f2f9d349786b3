/*
 * report.c - the lines every demo prints; the records go through
 * console/protocol.h like every other "@" line.
 */
#include "guide/report.h"

#include "atlas/atlas.h"
#include "console/console.h"
#include "console/protocol.h"

void show_address(const char *name, const void *addr, const char *what)
{
    proto_symbol(name, addr, region_of(addr));
    kprintf("  %-22s %p  %-16s %s\n", name, addr, region_of(addr), what);
}

void claim(const char *demo, bool holds, const char *detail)
{
    kprintf("  => the guide's claim %s on this machine: %s\n",
            holds ? "HOLDS" : "DIFFERS", detail);
    proto_claim(demo, holds, detail);
}

void demo_out_of_memory(const char *demo, const char *what)
{
    kprintf("  out of memory: no room for %s; the demo stops here, without a verdict\n",
            what);
    proto_warnf("demo", "%s ran out of memory: no room for %s", demo, what);
}
