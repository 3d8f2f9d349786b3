/*
 * cmdline.c - split the boot command line into options, arguments and
 * environment. Never fails: a word that cannot be trusted is dropped and the
 * reason kept as a warning, so the boot always goes on.
 */
#include "boot/cmdline.h"

#include <stdarg.h>

#include "lib/format.h"
#include "lib/string.h"

static void warn(struct cmdline *c, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void warn(struct cmdline *c, const char *fmt, ...)
{
    if (c->warning_count >= CMDLINE_WARNINGS_MAX)
        return;
    va_list ap;
    va_start(ap, fmt);
    format_buf_v(c->warnings[c->warning_count++], CMDLINE_WARNING_LEN, fmt, ap);
    va_end(ap);
}

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static bool has_equals(const char *w)
{
    for (; *w; w++)
        if (*w == '=')
            return true;
    return false;
}

/* Takes one word the kernel knows; false means it is not a kernel option. */
static bool take_option(struct cmdline *c, const char *w)
{
    if (strcmp(w, "exit") == 0) {
        c->exit = true;
    } else if (strcmp(w, "pause") == 0) {
        c->pause = true;
    } else if (str_starts(w, "mode=")) {
        if (strcmp(w + 5, "test") == 0)
            c->test = true;
        else
            warn(c, "unknown mode \"%.40s\" ignored (known: test)", w + 5);
    } else if (str_starts(w, "demo=")) {
        c->demo = w + 5;                /* the last one wins */
        if (c->demo_count < CMDLINE_DEMOS_MAX)
            c->demos[c->demo_count] = c->demo;
        c->demo_count++;
    } else {
        return false;
    }
    return true;
}

void cmdline_parse(const char *line, bool first_is_image, struct cmdline *c)
{
    memset(c, 0, sizeof *c);
    c->argv[c->argc++] = CMDLINE_ARGV0;

    char *out = c->words;
    char *const limit = c->words + sizeof c->words - 1;
    bool after_dashes = false;
    int index = 0;
    const char *p = line;

    for (;;) {
        while (is_space(*p))
            p++;
        if (!*p)
            break;
        if (out >= limit) {
            warn(c, "no room for more words at column %ld; the rest is dropped",
                 (long)(p - line));
            break;
        }

        /* Copy one word, removing quotes; note any byte we will not keep. */
        const char *start = p;
        char *word = out;
        bool quoted = false, full = false;
        int bad = -1;
        long bad_col = 0;
        while (*p && (quoted || !is_space(*p))) {
            unsigned char ch = (unsigned char)*p;
            if (ch == '"') {
                quoted = !quoted;
            } else {
                if ((ch < 0x20 && ch != '\t') || ch >= 0x7F) {
                    if (bad < 0) {
                        bad = ch;
                        bad_col = p - line;
                    }
                }
                if (out < limit)
                    *out++ = (char)ch;
                else
                    full = true;
            }
            p++;
        }
        *out++ = '\0';
        index++;
        if (full) {     /* never keep a word cut short */
            warn(c, "no room for word %d at column %ld; the rest is dropped",
                 index, (long)(start - line));
            break;
        }

        if (quoted)
            warn(c, "unbalanced quote in word %d (column %ld); the word runs to "
                    "the end of the line", index, (long)(start - line));
        if (bad >= 0) {
            warn(c, "word %d has byte 0x%02x at column %ld, which is not "
                    "printable ASCII; word dropped", index, bad, bad_col);
            out = word;
            continue;
        }
        if (first_is_image && index == 1) {
            c->image = word;
            continue;
        }
        if (!after_dashes && strcmp(word, "--") == 0) {
            after_dashes = true;
            continue;
        }
        if (!after_dashes && take_option(c, word))
            continue;

        bool is_env = !after_dashes && word[0] != '=' && has_equals(word);
        if (is_env) {
            if (c->envc >= CMDLINE_WORDS_MAX) {
                warn(c, "more than %d environment entries; \"%.32s\" dropped",
                     CMDLINE_WORDS_MAX, word);
                continue;
            }
            c->envp[c->envc++] = word;
        } else {
            if (c->argc >= CMDLINE_WORDS_MAX + 1) {
                warn(c, "more than %d arguments; \"%.32s\" dropped",
                     CMDLINE_WORDS_MAX, word);
                continue;
            }
            c->argv[c->argc++] = word;
        }
    }
    c->argv[c->argc] = 0;
    c->envp[c->envc] = 0;
}

const char *cmdline_getenv(const struct cmdline *c, const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || has_equals(name))
        return NULL;
    for (int i = 0; i < c->envc; i++)
        if (strncmp(c->envp[i], name, n) == 0 && c->envp[i][n] == '=')
            return c->envp[i] + n + 1;
    return NULL;
}
