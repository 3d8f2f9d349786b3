/*
 * warnings.c - append a formatted message to a bounded list.
 */
#include "lib/warnings.h"

#include <stdarg.h>

void warnings_add(char (*list)[WARNING_LEN], unsigned *count, unsigned max,
                  const char *fmt, ...)
{
    if (*count >= max)
        return;
    va_list ap;
    va_start(ap, fmt);
    format_buf_v(list[(*count)++], WARNING_LEN, fmt, ap);
    va_end(ap);
}
