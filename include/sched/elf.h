/*
 * elf.h - reading a static Linux i386 program (ELF32) held in memory.
 *
 * elf_parse checks an image and says what a loader must do with it: which
 * bytes go where, with what permissions, where the program starts, and
 * what it will ask the auxiliary vector for (AT_PHDR, AT_PHENT, AT_PHNUM).
 * It reads nothing outside [image, image + size), whatever the header
 * claims, and refuses anything a loader could not place below the kernel.
 *
 * Accepted: ET_EXEC, and ET_DYN without PT_INTERP (a static-pie, which
 * relocates itself). A static-pie's addresses are as linked, from 0; the
 * loader adds the base it picks, and they are checked as if that were 0.
 * Not accepted: a program that needs a dynamic loader (PT_INTERP).
 *
 * Overlaps are checked on the segments' bytes, [vaddr, vaddr + memsz): two
 * segments may still share a page, which the loader maps with both
 * permissions. Pure C: also built for the host tests and a fuzz target.
 */
#ifndef SCHED_ELF_H
#define SCHED_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memlayout.h"

#define ELF_LOAD_MAX    16      /* PT_LOAD segments a program may have */
#define ELF_WHY_LEN     96      /* enough for any reason elf_parse gives */

/* Segment permissions: the ELF p_flags bits (PF_X, PF_W, PF_R). */
#define ELF_PERM_X      1u
#define ELF_PERM_W      2u
#define ELF_PERM_R      4u

enum elf_kind {
    ELF_KIND_EXEC,              /* ET_EXEC: loaded at its own addresses */
    ELF_KIND_STATIC_PIE,        /* ET_DYN without PT_INTERP: at a base */
};

/* One PT_LOAD: filesz bytes from the file at offset, then zeroes up to memsz. */
struct elf_load {
    uint32_t vaddr, memsz;
    uint32_t offset, filesz;
    uint32_t perm;              /* ELF_PERM_* */
    uint32_t align;             /* 0 or 1: none; else a power of two */
};

/* The PT_TLS template: the initial thread's TLS block is filesz bytes from
 * vaddr, then zeroes up to memsz, aligned to align. */
struct elf_tls {
    uint32_t vaddr, filesz, memsz, align;
};

struct elf_image {
    enum elf_kind kind;
    uint32_t entry;
    unsigned load_count;
    struct elf_load loads[ELF_LOAD_MAX];    /* in program header order */
    bool has_tls;
    struct elf_tls tls;
    bool exec_stack;            /* PT_GNU_STACK with PF_X (no PT_GNU_STACK: false) */
    /* Where the program headers are in memory (AT_PHDR): PT_PHDR's vaddr,
     * else inside the PT_LOAD that holds the table's bytes. */
    bool has_phdr;
    uint32_t phdr;
    uint16_t phentsize, phnum;  /* AT_PHENT, AT_PHNUM */
    /* What the loads cover, whole pages: [lo, hi). brk may start at hi. */
    uint32_t lo, hi;
};

/* One section that occupies memory in the running program (SHF_ALLOC, not
 * TLS): name is inside the image, NUL-terminated. */
struct elf_section {
    const char *name;           /* ".text", ".noptrdata", ... */
    uint32_t addr, size;        /* as linked (a static-pie adds its base) */
    uint32_t perm;              /* ELF_PERM_* */
    bool nobits;                /* zeroes, not bytes of the file (.bss) */
};
typedef void (*elf_section_fn)(void *ctx, const struct elf_section *s);

/* Calls fn for each such section of image[0, size): their count, 0 when the
 * file has no section table (stripped of it), -1 when the table does not
 * fit in the file. Reads nothing outside it. The atlas names a program's
 * parts with these (the loader needs only the program headers). */
int elf_sections(const void *image, size_t size, elf_section_fn fn, void *ctx);

/* Checks image[0, size) and fills *out. 0 on success; -1 with a one-line
 * reason in why (when why_size > 0), and *out all zeroes. */
int elf_parse(const void *image, size_t size, struct elf_image *out, char *why,
              size_t why_size);

#endif
