/*
 * format.c - the one formatter behind every line mematlas prints.
 *
 * Small on purpose: integers, strings and characters, with widths (also
 * from an argument, "*"), the 0 and - flags, and a precision for strings. No floating point (the kernel does not touch the FPU for
 * printing). 64-bit division comes from libgcc on i386.
 */
#include "lib/format.h"

#include <stdint.h>

struct out {
    format_sink sink;
    void *ctx;
    int count;
};

static void emit(struct out *o, char c)
{
    o->sink(o->ctx, c);
    o->count++;
}

static void emit_padded(struct out *o, const char *s, int len, int width,
                        int left, char pad)
{
    int fill = width > len ? width - len : 0;
    if (!left) {
        /* Zero padding goes after a sign, space padding before it. */
        if (pad == '0' && len > 0 && s[0] == '-') {
            emit(o, '-');
            s++;
            len--;
        }
        while (fill-- > 0)
            emit(o, pad);
    }
    for (int i = 0; i < len; i++)
        emit(o, s[i]);
    if (left)
        while (fill-- > 0)
            emit(o, ' ');
}

/* Writes the digits of v in base into the end of buf; returns the start. */
static char *digits(char *end, unsigned long long v, unsigned base, int upper)
{
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char *p = end;
    do {
        *--p = set[v % base];
        v /= base;
    } while (v);
    return p;
}

int format_v(format_sink sink, void *ctx, const char *fmt, va_list ap)
{
    struct out o = { sink, ctx, 0 };
    char buf[24];   /* 64-bit octal would need 22; we print at most 20 */

    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            emit(&o, *p);
            continue;
        }
        p++;
        int left = 0;
        char pad = ' ';
        for (;; p++) {
            if (*p == '-')
                left = 1;
            else if (*p == '0')
                pad = '0';
            else
                break;
        }
        int width = 0;
        if (*p == '*') {
            width = va_arg(ap, int);
            if (width < 0) {
                left = 1;
                width = -width;
            }
            p++;
        } else {
            while (*p >= '0' && *p <= '9')
                width = width * 10 + (*p++ - '0');
        }
        if (left)
            pad = ' ';
        int precision = -1;     /* for %s: the most characters to print */
        if (*p == '.') {
            p++;
            precision = 0;
            if (*p == '*') {
                precision = va_arg(ap, int);
                p++;
            } else {
                while (*p >= '0' && *p <= '9')
                    precision = precision * 10 + (*p++ - '0');
            }
        }
        int size = 0;   /* 0: int, 1: long, 2: long long, 3: size_t */
        if (*p == 'l') {
            size = 1;
            if (*++p == 'l') {
                size = 2;
                p++;
            }
        } else if (*p == 'z') {
            size = 3;
            p++;
        }

        char *end = buf + sizeof buf;
        char *s;
        switch (*p) {
        case 'd':
        case 'i': {
            long long v = size == 2 ? va_arg(ap, long long)
                        : size == 1 ? va_arg(ap, long)
                        : size == 3 ? (long long)(ptrdiff_t)va_arg(ap, size_t)
                        : va_arg(ap, int);
            unsigned long long mag = v < 0 ? 0ULL - (unsigned long long)v
                                           : (unsigned long long)v;
            s = digits(end, mag, 10, 0);
            if (v < 0)
                *--s = '-';
            emit_padded(&o, s, (int)(end - s), width, left, pad);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            unsigned long long v = size == 2 ? va_arg(ap, unsigned long long)
                                 : size == 1 ? va_arg(ap, unsigned long)
                                 : size == 3 ? va_arg(ap, size_t)
                                 : va_arg(ap, unsigned int);
            s = digits(end, v, *p == 'u' ? 10 : 16, *p == 'X');
            emit_padded(&o, s, (int)(end - s), width, left, pad);
            break;
        }
        case 'p': {
            uintptr_t v = (uintptr_t)va_arg(ap, void *);
            s = digits(end, v, 16, 0);
            /* Pointers always show all their digits, like an address column. */
            while (end - s < (int)(2 * sizeof(void *)))
                *--s = '0';
            *--s = 'x';
            *--s = '0';
            emit_padded(&o, s, (int)(end - s), width, left, ' ');
            break;
        }
        case 's': {
            const char *str = va_arg(ap, const char *);
            if (!str)
                str = "(null)";
            int len = 0;
            /* Test the precision first: the array may end right there. */
            while ((precision < 0 || len < precision) && str[len])
                len++;
            emit_padded(&o, str, len, width, left, ' ');
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            emit_padded(&o, &c, 1, width, left, ' ');
            break;
        }
        case '%':
            emit(&o, '%');
            break;
        case '\0':
            /* A lone % at the end: print it and stop. */
            emit(&o, '%');
            return o.count;
        default:
            /* Unknown conversion: show it as written so the mistake is visible. */
            emit(&o, '%');
            emit(&o, *p);
            break;
        }
    }
    return o.count;
}

int format(format_sink sink, void *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = format_v(sink, ctx, fmt, ap);
    va_end(ap);
    return n;
}

struct bufctx {
    char *buf;
    size_t size;
    size_t pos;
};

static void buf_sink(void *ctx, char c)
{
    struct bufctx *b = ctx;
    if (b->pos + 1 < b->size)
        b->buf[b->pos] = c;
    b->pos++;
}

int format_buf_v(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct bufctx b = { buf, size, 0 };
    int n = format_v(buf_sink, &b, fmt, ap);
    if (size > 0)
        buf[b.pos < size ? b.pos : size - 1] = '\0';
    return n;
}

int format_buf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = format_buf_v(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

char *format_size(char *buf, size_t size, unsigned long long bytes)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    int u = 0;
    unsigned long long whole = bytes, rest = 0;
    while (whole >= 1024 && u < 6) {
        rest = whole % 1024;
        whole /= 1024;
        u++;
    }
    /* One decimal below 1000 units when it is not exact (at most 9 characters,
     * "999.9 MiB"); truncated, never rounded up. */
    unsigned tenth = (unsigned)(rest * 10 / 1024);
    if (u > 0 && whole < 1000 && tenth > 0)
        format_buf(buf, size, "%llu.%u %s", whole, tenth, units[u]);
    else
        format_buf(buf, size, "%llu %s", whole, units[u]);
    return buf;
}
