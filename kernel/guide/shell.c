/*
 * shell.c - the console's prompt and its table of commands (shell.h).
 *
 * A line is split at spaces; its first word names the command. Each
 * command prints for people and writes records; the shell then writes
 * "@command" with the line and how it ended, and the next "@prompt". The
 * commands that look at memory are in explore.c.
 */
#include "guide/shell.h"

#include "arch/stop.h"
#include "atlas/atlas.h"
#include "console/console.h"
#include "console/input.h"
#include "console/panic.h"
#include "console/protocol.h"
#include "console/vga.h"
#include "guide/demo.h"
#include "guide/guide.h"
#include "guide/programs.h"
#include "guide/registry.h"
#include "guide/screens.h"
#include "guide/tour_pages.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/kheap.h"
#include "sched/task.h"

#define PROMPT      "mematlas> "
#define WORDS_MAX   16

static const struct boot_info *shell_boot;
static const struct cmdline *shell_cmdline;
static bool shell_boot_ok;
static struct line_editor editor;       /* its history lasts as long as the shell */

typedef bool (*command_fn)(int argc, char **argv, struct reply *r);

struct command {
    const char *name;
    const char *args;           /* for help: what follows the name */
    const char *about;          /* one line for help */
    command_fn run;
};

static bool cmd_help(int argc, char **argv, struct reply *r);
static bool cmd_atlas(int argc, char **argv, struct reply *r);
static bool cmd_demos(int argc, char **argv, struct reply *r);
static bool cmd_demo(int argc, char **argv, struct reply *r);
static bool cmd_tour(int argc, char **argv, struct reply *r);
static bool cmd_tasks(int argc, char **argv, struct reply *r);
static bool cmd_programs(int argc, char **argv, struct reply *r);
static bool cmd_run(int argc, char **argv, struct reply *r);
static bool cmd_halt(int argc, char **argv, struct reply *r);
static bool cmd_reboot(int argc, char **argv, struct reply *r);

static const struct command commands[] = {
    { "help", "", "this list", cmd_help },
    { "atlas", "", "the atlas page again; every region on the serial port", cmd_atlas },
    { "demos", "", "the demos, one line each", cmd_demos },
    { "demo", "NAME", "run one demo (demos lists them)", cmd_demo },
    { "tour", "", "the guide's sections in order, a page each (Space, p, q)", cmd_tour },
    { "where", "ADDR", "its region, the nearest symbol and the page-table walk", cmd_where },
    { "x", "ADDR [LEN]", "LEN bytes (64, at most 256) in hex and ASCII", cmd_x },
    { "pt", "ADDR", "the page-table walk: directory entry, table entry, frame", cmd_pt },
    { "frames", "", "physical frames used and free, the largest free run", cmd_frames },
    { "heap", "", "the kernel heap: totals, then every block", cmd_heap },
    { "gc", "", "run the garbage collector, before and after", cmd_gc },
    { "tasks", "", "every task, its state, its stack's size and peak", cmd_tasks },
    { "programs", "", "the boot modules that are programs", cmd_programs },
    { "run", "PROGRAM [ARGS]", "run a program as a process", cmd_run },
    { "halt", "", "stop: QEMU exits (33 when all went well), else the CPU halts",
      cmd_halt },
    { "reboot", "", "reset the machine", cmd_reboot },
};

#define COMMANDS (sizeof commands / sizeof commands[0])

bool shell_reply(struct reply *r, bool ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    format_buf_v(r->detail, sizeof r->detail, fmt, ap);
    va_end(ap);
    return ok;
}

static bool no_arguments(int argc, char **argv, struct reply *r)
{
    if (argc == 1)
        return true;
    return shell_reply(r, false, "%s takes no arguments", argv[0]);
}

static bool cmd_help(int argc, char **argv, struct reply *r)
{
    if (!no_arguments(argc, argv, r))
        return false;
    for (unsigned i = 0; i < COMMANDS; i++) {
        char usage[32];
        format_buf(usage, sizeof usage, "%s %s", commands[i].name, commands[i].args);
        proto_entry("commands", commands[i].name, commands[i].about);
        kprintf("  %-18s %s\n", usage, commands[i].about);
    }
    kprintf("  Keys: Up/Down recall a line, Left/Right move, Esc clears, Ctrl-C abandons.\n");
    return true;
}

/* The atlas page on the screen with the prompt on its last row. */
static void prompt_under_the_atlas(void)
{
    atlas_draw_page(shell_boot);
    for (int col = 0; col < VGA_COLS; col++)
        vga_put_at(VGA_ROWS - 1, col, ' ', VGA_DEFAULT_ATTR);
    vga_move_to(VGA_ROWS - 1, 0);
}

static bool cmd_atlas(int argc, char **argv, struct reply *r)
{
    if (!no_arguments(argc, argv, r))
        return false;
    console_use_vga(false);             /* the regions scroll by on the serial port only */
    atlas_print();
    prompt_under_the_atlas();
    console_use_vga(true);
    return true;
}

static bool cmd_demos(int argc, char **argv, struct reply *r)
{
    if (!no_arguments(argc, argv, r))
        return false;
    const struct demo *d;
    for (unsigned i = 0; (d = demo_at(i)) != 0; i++) {
        proto_entry("demos", d->name, d->what);
        kprintf("  %-15s %s\n", d->name, d->what);
    }
    return true;
}

static bool cmd_demo(int argc, char **argv, struct reply *r)
{
    if (argc != 2)
        return shell_reply(r, false, "demo takes one name: demo gc (demos lists them)");
    if (!demo_find(argv[1])) {
        char names[DEMO_NAMES_MAX];
        demo_names(names, sizeof names);
        return shell_reply(r, false, "no demo \"%.24s\"; the demos: %.100s", argv[1], names);
    }
    screen_demo(argv[1]);               /* a page at a time, the prompt under its last */
    return true;
}

static bool cmd_tour(int argc, char **argv, struct reply *r)
{
    if (!no_arguments(argc, argv, r))
        return false;
    if (!tour_pages())
        return shell_reply(r, false, "no memory for the tour's pages");
    return true;
}

static bool cmd_tasks(int argc, char **argv, struct reply *r)
{
    if (!no_arguments(argc, argv, r))
        return false;
    kprintf("tasks (task 0 is kernel_main, on the boot stack; this console runs in it):\n");
    task_list_print();
    kprintf("their stacks:\n");
    task_print_main_stack();
    task_print_stacks();
    return true;
}

static bool cmd_programs(int argc, char **argv, struct reply *r)
{
    if (!no_arguments(argc, argv, r))
        return false;
    programs_list(shell_boot);
    return true;
}

static bool cmd_run(int argc, char **argv, struct reply *r)
{
    if (argc < 2)
        return shell_reply(r, false, "run takes a program and its arguments: run hello world");
    bool found;
    bool ok = programs_run_named(shell_boot, shell_cmdline, argc - 1, (const char **)argv + 1,
                                 &found);
    if (!found)
        return shell_reply(r, false, "no program \"%.24s\" among the modules (programs lists "
                     "them)", argv[1]);
    if (!ok)
        return shell_reply(r, false, "%.24s did not end well: see its @exit", argv[1]);
    return true;
}

/* Healthy: the boot's own runs went well and the heap is consistent. */
static bool healthy(struct reply *r)
{
    const char *why = 0;
    if (!heap_check(&kernel_heap, &why))
        return shell_reply(r, false, "the kernel heap is damaged: %s", why ? why : "?");
    if (!shell_boot_ok)
        return shell_reply(r, false, "the boot's demo, self-tests or programs failed");
    return true;
}

static bool cmd_halt(int argc, char **argv, struct reply *r)
{
    if (!no_arguments(argc, argv, r))
        return false;
    bool ok = healthy(r);
    proto_command("halt", ok ? "ok" : "error", r->detail);
    if (!ok)
        kprintf("%s\n", r->detail);
    machine_set_exit(true);             /* under QEMU with the exit device: leave */
    kernel_stop("halted at the prompt", ok);
}

static bool cmd_reboot(int argc, char **argv, struct reply *r)
{
    if (!no_arguments(argc, argv, r))
        return false;
    proto_command("reboot", "ok", 0);
    kprintf("mematlas: resetting the machine.\n");
    machine_reboot();
}

/* ---- the loop -------------------------------------------------------------------- */

/* Splits line in place at spaces; false when there are too many words. */
static bool split(char *line, int *argc, char **argv)
{
    *argc = 0;
    for (char *p = line; *p;) {
        while (*p == ' ')
            *p++ = '\0';
        if (!*p)
            break;
        if (*argc == WORDS_MAX)
            return false;
        argv[(*argc)++] = p;
        while (*p && *p != ' ')
            p++;
    }
    argv[*argc] = 0;
    return true;
}

static const struct command *find(const char *name)
{
    for (unsigned i = 0; i < COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return 0;
}

/* One line typed at the prompt, to its @command. */
static void execute(const char *typed)
{
    char line[LINE_MAX + 1], *argv[WORDS_MAX + 1];
    int argc;
    struct reply r = { "" };
    str_copy(line, typed, sizeof line);
    const char *result = "ok";
    if (!split(line, &argc, argv)) {
        shell_reply(&r, false, "more than %d words: not a command", WORDS_MAX);
        result = "error";
    } else if (argc == 0) {
        return;                         /* an empty line: just a new prompt */
    } else if (!find(argv[0])) {
        shell_reply(&r, false, "no command \"%.24s\"; help lists them", argv[0]);
        result = "unknown";
    } else if (!find(argv[0])->run(argc, argv, &r)) {
        result = "error";
    }
    if (strcmp(result, "ok") != 0)
        kprintf("%s\n", r.detail);
    proto_command(typed, result, r.detail);
}

static void read_and_execute(void)
{
    enum line_status st = input_read_line(&editor, PROMPT);
    if (st == LINE_DONE) {
        execute(line_text(&editor));
    } else if (st == LINE_TOO_LONG) {
        char msg[SHELL_DETAIL_MAX];
        format_buf(msg, sizeof msg, "the line is %lu bytes long; at most %d are taken: "
                   "refused", line_typed(&editor), LINE_MAX);
        kprintf("%s\n", msg);
        proto_command(line_text(&editor), "too-long", msg);
    } else {
        proto_command(line_text(&editor), "cancelled", 0);
    }
}

void shell_run(const struct boot_info *boot, const struct cmdline *c, bool boot_ok)
{
    shell_boot = boot;
    shell_cmdline = c;
    shell_boot_ok = boot_ok;
    line_init(&editor);
    kprintf("Type help for the commands.\n");
    input_init();
    if (guide_show_boot_demo()) {       /* the boot's demo, a page at a time */
        console_use_vga(true);
    } else if (!console_uses_vga()) {   /* the atlas page is up: the prompt goes under it */
        prompt_under_the_atlas();
        console_use_vga(true);
    }
    if (c->tour)
        tour_pages();
    for (;;)
        read_and_execute();
}
