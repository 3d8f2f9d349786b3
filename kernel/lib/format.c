/*
 * format.c - the one formatter behind every line mematlas prints.
 *
 * Small on purpose: integers, strings and characters, with widths (also
 * from an argument, "*"), the 0 and - flags, and a precision for strings.
 * No floating point (the kernel does not touch the FPU for printing).
 * 64-bit division comes from libgcc on i386.
 *
 * In three steps per conversion: parse_spec reads the specification,
 * integer_text and pointer_text produce the digits, emit_padded writes the
 * text with its padding.
 */
#include "lib/format.h"

#include <stdbool.h>
#include <stdint.h>

struct out {
    format_sink sink;
    void *ctx;
    int count;
};

enum length { LEN_INT, LEN_LONG, LEN_LONG_LONG, LEN_SIZE };

/* One conversion specification: %[flags][width][.precision][length]conv. */
struct spec {
    bool left;          /* '-', or a negative width from '*': pad on the right */
    char pad;           /* what fills on the left of a number: ' ' or '0' */
    int width;          /* the least number of characters */
    int precision;      /* for %s, the most characters; -1 when none */
    enum length length;
    char conv;          /* the conversion letter; '\0' when the format ended */
};

/* Room for the digits of any 64-bit value in base 10 or 16 (at most 20), a
 * sign, and the 0x of a pointer. */
#define DIGITS_MAX      24
#define POINTER_DIGITS  ((int)(2 * sizeof(void *)))

/* ---- parsing a conversion specification ------------------------------------ */

/* A width or a precision: decimal digits, or '*' for the next int argument. */
static int parse_count(const char **p, va_list *ap)
{
    if (**p == '*') {
        (*p)++;
        return va_arg(*ap, int);
    }
    int n = 0;
    while (**p >= '0' && **p <= '9')
        n = n * 10 + (*(*p)++ - '0');
    return n;
}

static const char *parse_length(const char *p, enum length *length)
{
    *length = LEN_INT;
    if (*p == 'l') {
        *length = LEN_LONG;
        if (*++p == 'l') {
            *length = LEN_LONG_LONG;
            p++;
        }
    } else if (*p == 'z') {
        *length = LEN_SIZE;
        p++;
    }
    return p;
}

/* Reads what follows a '%' into s, taking '*' arguments from ap; returns
 * the position of the conversion letter. */
static const char *parse_spec(const char *p, struct spec *s, va_list *ap)
{
    *s = (struct spec){ .pad = ' ', .precision = -1 };
    for (;; p++) {
        if (*p == '-')
            s->left = true;
        else if (*p == '0')
            s->pad = '0';
        else
            break;
    }
    s->width = parse_count(&p, ap);
    if (s->width < 0) {
        s->left = true;
        s->width = -s->width;
    }
    if (s->left)
        s->pad = ' ';   /* '-' wins over '0': a right-hand fill is spaces */
    if (*p == '.') {
        p++;
        s->precision = parse_count(&p, ap);
    }
    p = parse_length(p, &s->length);
    s->conv = *p;
    return p;
}

/* ---- producing digits ----------------------------------------------------- */

/* Writes the digits of v in base into the end of buf; returns the start. */
static char *digits(char *end, unsigned long long v, unsigned base, bool upper)
{
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char *p = end;
    do {
        *--p = set[v % base];
        v /= base;
    } while (v);
    return p;
}

static long long signed_arg(enum length length, va_list *ap)
{
    switch (length) {
    case LEN_LONG:      return va_arg(*ap, long);
    case LEN_LONG_LONG: return va_arg(*ap, long long);
    case LEN_SIZE:      return (ptrdiff_t)va_arg(*ap, size_t);  /* %zd */
    default:            return va_arg(*ap, int);
    }
}

static unsigned long long unsigned_arg(enum length length, va_list *ap)
{
    switch (length) {
    case LEN_LONG:      return va_arg(*ap, unsigned long);
    case LEN_LONG_LONG: return va_arg(*ap, unsigned long long);
    case LEN_SIZE:      return va_arg(*ap, size_t);
    default:            return va_arg(*ap, unsigned int);
    }
}

/* %d %i %u %x %X: the digits, after a '-' when negative, into the end of
 * buf; returns the start. */
static char *integer_text(char *end, const struct spec *s, va_list *ap)
{
    if (s->conv == 'd' || s->conv == 'i') {
        long long v = signed_arg(s->length, ap);
        /* The magnitude in unsigned arithmetic: -LLONG_MIN does not fit. */
        unsigned long long mag = v < 0 ? 0ULL - (unsigned long long)v
                                       : (unsigned long long)v;
        char *p = digits(end, mag, 10, false);
        if (v < 0)
            *--p = '-';
        return p;
    }
    return digits(end, unsigned_arg(s->length, ap), s->conv == 'u' ? 10 : 16,
                  s->conv == 'X');
}

/* %p: 0x and every digit of the address, like an address column. */
static char *pointer_text(char *end, va_list *ap)
{
    char *p = digits(end, (uintptr_t)va_arg(*ap, void *), 16, false);
    while (end - p < POINTER_DIGITS)
        *--p = '0';
    *--p = 'x';
    *--p = '0';
    return p;
}

/* ---- padding and output ------------------------------------------------------ */

static void emit(struct out *o, char c)
{
    o->sink(o->ctx, c);
    o->count++;
}

/* len characters of text, padded with `pad` to the spec's width. */
static void emit_padded(struct out *o, const char *text, int len,
                        const struct spec *s, char pad)
{
    int fill = s->width > len ? s->width - len : 0;
    if (!s->left) {
        /* Zero padding goes after a sign, space padding before it. */
        if (pad == '0' && len > 0 && text[0] == '-') {
            emit(o, '-');
            text++;
            len--;
        }
        while (fill-- > 0)
            emit(o, pad);
    }
    for (int i = 0; i < len; i++)
        emit(o, text[i]);
    if (s->left)
        while (fill-- > 0)
            emit(o, ' ');
}

static void emit_string(struct out *o, const struct spec *s, const char *str)
{
    if (!str)
        str = "(null)";
    int len = 0;
    /* Test the precision first: the array may end right there. */
    while ((s->precision < 0 || len < s->precision) && str[len])
        len++;
    emit_padded(o, str, len, s, ' ');
}

/* Formats the argument(s) of one conversion; false when the format ended
 * inside the specification. */
static bool emit_conversion(struct out *o, const struct spec *s, va_list *ap)
{
    char buf[DIGITS_MAX];
    char *end = buf + sizeof buf, *text;
    switch (s->conv) {
    case 'd': case 'i': case 'u': case 'x': case 'X':
        text = integer_text(end, s, ap);
        emit_padded(o, text, (int)(end - text), s, s->pad);
        return true;
    case 'p':
        text = pointer_text(end, ap);
        emit_padded(o, text, (int)(end - text), s, ' ');   /* never zeros */
        return true;
    case 's':
        emit_string(o, s, va_arg(*ap, const char *));
        return true;
    case 'c':
        buf[0] = (char)va_arg(*ap, int);
        emit_padded(o, buf, 1, s, ' ');
        return true;
    case '%':
        emit(o, '%');
        return true;
    case '\0':
        /* A lone % at the end: print it and stop. */
        emit(o, '%');
        return false;
    default:
        /* Unknown conversion: show it as written so the mistake is visible. */
        emit(o, '%');
        emit(o, s->conv);
        return true;
    }
}

int format_v(format_sink sink, void *ctx, const char *fmt, va_list ap)
{
    struct out o = { sink, ctx, 0 };
    /* A copy, so that the helpers can take it by address: va_list may be an
     * array type, and a parameter of array type is really a pointer. */
    va_list args;
    va_copy(args, ap);
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            emit(&o, *p);
            continue;
        }
        struct spec s;
        p = parse_spec(p + 1, &s, &args);
        if (!emit_conversion(&o, &s, &args))
            break;
    }
    va_end(args);
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
