/*
 * main.c - the boot sequence, as a table of contents.
 */
#include <stdint.h>

#include "atlas/atlas.h"
#include "boot/bootinfo.h"
#include "boot/cmdline.h"
#include "console/console.h"
#include "guide/guide.h"
#include "arch/fault.h"
#include "mm/kframes.h"
#include "arch/gdt.h"
#include "kernel.h"
#include "mm/kgc.h"
#include "mm/kheap.h"
#include "sched/task.h"
#include "boot/ksym.h"
#include "lib/string.h"
#include "mm/paging.h"
#include "guide/examples.h"
#include "console/serial.h"
#include "console/vga.h"


static struct boot_info boot;    /* copied out of the loader's memory */
static struct cmdline cmd;

static void print_boot(void)
{
    serial_printf("@boot protocol=%s loader=", boot_protocol_name(boot.protocol));
    serial_put_quoted(boot.loader);
    serial_write(" cmdline=");
    serial_put_quoted(boot.cmdline);
    serial_putc('\n');
    kprintf("Booted by %s through %s; %llu MiB of RAM.\n",
            boot.loader[0] ? boot.loader : "an unnamed loader",
            boot.protocol == BOOT_MULTIBOOT2 ? "Multiboot 2" : "Multiboot 1",
            (unsigned long long)(bootinfo_ram_bytes(&boot) >> 20));

    for (unsigned i = 0; i < boot.warning_count; i++) {
        kprintf("boot: %s\n", boot.warnings[i]);
        serial_write("@warn source=boot msg=");
        serial_put_quoted(boot.warnings[i]);
        serial_putc('\n');
    }
    for (unsigned i = 0; i < cmd.warning_count; i++) {
        kprintf("cmdline: %s\n", cmd.warnings[i]);
        serial_write("@warn source=cmdline msg=");
        serial_put_quoted(cmd.warnings[i]);
        serial_putc('\n');
    }
    for (int i = 0; i < cmd.argc; i++) {
        serial_printf("@arg index=%d value=", i);
        serial_put_quoted(cmd.argv[i]);
        serial_putc('\n');
    }
    for (int i = 0; i < cmd.envc; i++) {
        serial_printf("@env index=%d value=", i);
        serial_put_quoted(cmd.envp[i]);
        serial_putc('\n');
    }
    for (unsigned i = 0; i < boot.mmap_count; i++)
        serial_printf("@mmap start=0x%016llx end=0x%016llx type=%s\n",
                      (unsigned long long)boot.mmap[i].start,
                      (unsigned long long)boot.mmap[i].end,
                      mmap_type_name(boot.mmap[i].type));
}

__attribute__((noreturn)) static void finish(bool ok)
{
    if (cmd.pause) {
        serial_printf("@pause\n");
        while (serial_getc_poll() < 0)
            __asm__ volatile("pause");
    }
    if (kernel_exit_on_stop) {
        kprintf("mematlas: done; QEMU exits with code %d.\n", ok ? 33 : 35);
    } else {
        kprintf("mematlas: done; the CPU is halted. (QEMU: close the window, or "
                "press Ctrl-A X on the serial console.)\n");
    }
    kernel_stop(ok);
}

__attribute__((noreturn)) void kernel_main(uint32_t magic, uint32_t info_phys)
{
    serial_init();                      /* first: everything after may print */
    vga_init();
    kprintf("mematlas: a map of this machine's memory\n");
    gdt_init();                         /* our own segments and task state */
    fault_init();                       /* from here on a fault explains itself */

    if (bootinfo_parse(magic, info_phys, early_window, &boot) != 0)
        panic("%s; refusing to read the boot information", boot.error);
    ksym_load(&boot, early_window);     /* function names for backtraces */
    paging_drop_identity();             /* boot info copied: the low half goes */
    frames_init(&boot);                 /* free RAM, minus all that is in use */
    paging_init();                      /* the kernel's own page tables */
    kheap_init();                       /* kmalloc from here on; bump sealed */

    /* QEMU's -kernel puts the image path first; GRUB 2 does not. */
    cmdline_parse(boot.cmdline, str_starts(boot.loader, "qemu"), &cmd);
    kernel_exit_on_stop = cmd.exit;
    print_boot();

    serial_printf("@ksym source=%s count=%u\n", ksym_source(), ksym_count());
    atlas_build(&boot);
    atlas_print();
    frames_report();
    kheap_report();
    paging_print_maps();
    atlas_check_permissions(true);

    int sum = add(5, 3);
    guide_show_examples(&sum);

    char status[80];
    format_buf(status, sizeof status, "%s via %s, %llu MiB RAM",
               boot_protocol_name(boot.protocol),
               boot.loader[0] ? boot.loader : "?",
               (unsigned long long)(bootinfo_ram_bytes(&boot) >> 20));
    char title[80];
    format_buf(title, sizeof title, "mematlas  %s", status);
    atlas_draw_screen(title, "serial port: the same atlas in full, and @lines for programs");
    console_use_vga(false);

    task_init();                        /* kernel_main becomes task 0; timer on */
    finish(guide_run(&boot, &cmd));
}
