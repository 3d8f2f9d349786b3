/*
 * warnings.h - a bounded list of formatted messages, for the parsers that
 * never fail (boot information, command line) but must say what they
 * dropped. Pure C: also built for the host tests.
 */
#ifndef WARNINGS_H
#define WARNINGS_H

#include "lib/format.h"

#define WARNING_LEN     120     /* bytes per message, the NUL included; longer ones are cut */

/*
 * Formats a message into list[*count] and counts it, unless max messages
 * are there already: then it is dropped, since the first problems explain
 * the ones that follow.
 */
void warnings_add(char (*list)[WARNING_LEN], unsigned *count, unsigned max,
                  const char *fmt, ...) PRINTF_LIKE(4, 5);

#endif
