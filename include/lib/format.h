/*
 * format.h - the one printf-style formatter, writing to any sink.
 *
 * Conversions: %d %i %u %x %X %p %s %c %%, lengths l ll z, a width (or *),
 * the flags 0 and -, and a precision for %s (%.20s, %.*s; ignored elsewhere).
 * Everything that prints text goes through format_v.
 * Pure C: also built for the host tests.
 */
#ifndef FORMAT_H
#define FORMAT_H

#include <stdarg.h>
#include <stddef.h>

#define PRINTF_LIKE(fmt, args) __attribute__((format(printf, fmt, args)))

/* A sink receives characters one at a time, with its own context. */
typedef void (*format_sink)(void *ctx, char c);

/* Formats into sink; returns the number of characters produced. */
int format_v(format_sink sink, void *ctx, const char *fmt, va_list ap);
int format(format_sink sink, void *ctx, const char *fmt, ...) PRINTF_LIKE(3, 4);

/* snprintf semantics: always NUL-terminated when size > 0; returns the length
 * the whole result would have had. */
int format_buf(char *buf, size_t size, const char *fmt, ...) PRINTF_LIKE(3, 4);
int format_buf_v(char *buf, size_t size, const char *fmt, va_list ap);

/* A human size such as "16 KiB" or "127.8 MiB", written into buf (>= 12 bytes). */
char *format_size(char *buf, size_t size, unsigned long long bytes);

#endif
