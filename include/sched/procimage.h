/*
 * procimage.h - the initial stack of an i386 Linux process: what a program
 * finds above its stack pointer when it starts, byte for byte as Linux's
 * exec builds it for a static ELF program (fs/exec.c puts the strings,
 * create_elf_tables in fs/binfmt_elf.c the rest). From the top down:
 *
 *   top  ->  end marker: a kernel pointer's worth of zero bytes
 *            execfn: the file name the program was started by (AT_EXECFN)
 *            environment strings, the last one highest
 *            argument strings, the last one highest, argv[0]'s lowest
 *            align: zeros down to a multiple of 16 (arch_align_stack)
 *            platform string "i686" (AT_PLATFORM)
 *            16 random bytes (AT_RANDOM)
 *            pad: zeros, so that sp below is a multiple of 16 (STACK_ROUND)
 *            auxv pairs, AT_NULL last
 *            envp[] and its NULL
 *            argv[] and its NULL
 *   sp   ->  argc
 *
 * The auxiliary vector holds, in Linux's order: AT_MINSIGSTKSZ, AT_HWCAP,
 * AT_PAGESZ, AT_CLKTCK, AT_PHDR, AT_PHENT, AT_PHNUM, AT_BASE, AT_FLAGS,
 * AT_ENTRY, AT_UID, AT_EUID, AT_GID, AT_EGID, AT_SECURE, AT_RANDOM,
 * AT_HWCAP2, AT_EXECFN, AT_PLATFORM, AT_NULL. Linux also has AT_SYSINFO and
 * AT_SYSINFO_EHDR first (its vDSO) and AT_RSEQ_FEATURE_SIZE, AT_RSEQ_ALIGN
 * after AT_PLATFORM (restartable sequences, Linux 6.3 on): mematlas has
 * neither, so leaves them out. The four pairs are 32 bytes, a multiple of
 * 16: argc and the vectors sit 32 bytes higher than on such a Linux, and
 * every byte above the auxv is where it puts it, padding included.
 *
 * The builder is pure C over a buffer the caller gives: it writes the
 * image through one mapping, with the pointers of the address space the
 * program will see it in.
 */
#ifndef PROCIMAGE_H
#define PROCIMAGE_H

#include <stdint.h>

/* Auxiliary vector entry types (include/uapi/linux/auxvec.h and asm/auxvec.h). */
#define AT_NULL         0
#define AT_PHDR         3
#define AT_PHENT        4
#define AT_PHNUM        5
#define AT_PAGESZ       6
#define AT_BASE         7
#define AT_FLAGS        8
#define AT_ENTRY        9
#define AT_UID          11
#define AT_EUID         12
#define AT_GID          13
#define AT_EGID         14
#define AT_PLATFORM     15
#define AT_HWCAP        16
#define AT_CLKTCK       17
#define AT_SECURE       23
#define AT_RANDOM       25
#define AT_HWCAP2       26
#define AT_RSEQ_FEATURE_SIZE 27
#define AT_RSEQ_ALIGN   28
#define AT_EXECFN       31
#define AT_SYSINFO      32
#define AT_SYSINFO_EHDR 33
#define AT_MINSIGSTKSZ  51

#define PROCIMAGE_AUXV_PAIRS    20      /* the entries above, AT_NULL included */
#define PROCIMAGE_RANDOM_BYTES  16
#define PROCIMAGE_CLKTCK        100     /* Linux's USER_HZ: times() counts in 1/100 s */
#define PROCIMAGE_I686          "i686"  /* what Linux says on any i686 or later */
/* The argument, environment and execfn strings together, NULs included, are
 * at most 32 pages: Linux's limit for one string (MAX_ARG_STRLEN) and for
 * all of them on a machine without an MMU (MAX_ARG_PAGES). */
#define PROCIMAGE_STRINGS_MAX   (32 * 4096)
/* The zero bytes at the very top: an i386 Linux kernel leaves 4 (its
 * sizeof(void *)); a 64-bit one running an i386 program leaves 8. */
#define PROCIMAGE_END_MARKER    4

struct procimage_args {
    int argc;
    const char *const *argv;
    int envc;
    const char *const *envp;
    const char *execfn;         /* the path it was started by: AT_EXECFN's string */
    const char *platform;       /* AT_PLATFORM's string: PROCIMAGE_I686 */
    uint8_t random[PROCIMAGE_RANDOM_BYTES];    /* AT_RANDOM's bytes */
    uint32_t hwcap;             /* AT_HWCAP: CPUID leaf 1's EDX */
    uint32_t hwcap2;            /* AT_HWCAP2: bit 1 when user code may use FSGSBASE */
    uint32_t minsigstksz;       /* AT_MINSIGSTKSZ: the size of a signal frame */
    uint32_t phdr, phent, phnum;    /* AT_PHDR (an address), AT_PHENT, AT_PHNUM */
    uint32_t entry;             /* AT_ENTRY */
    uint32_t uid, euid, gid, egid, secure;
    uint32_t end_marker;        /* 4 or 8: PROCIMAGE_END_MARKER */
};

/* The parts of an image, lowest first; each begins where the one before it
 * ends, from sp to top. A part can be empty (no arguments, no padding). */
enum procimage_part {
    PROCIMAGE_ARGC,             /* "argc" */
    PROCIMAGE_ARGV,             /* "argv": argv[] and its NULL */
    PROCIMAGE_ENVP,             /* "envp": envp[] and its NULL */
    PROCIMAGE_AUXV,             /* "auxv": the pairs, AT_NULL's included */
    PROCIMAGE_PAD,              /* "sp.pad": zeros that make sp a multiple of 16 */
    PROCIMAGE_RANDOM,           /* "random": AT_RANDOM's 16 bytes */
    PROCIMAGE_PLATFORM,         /* "platform": AT_PLATFORM's string */
    PROCIMAGE_ALIGN,            /* "strings.pad": zeros below the strings */
    PROCIMAGE_ARGS,             /* "args": the argument strings */
    PROCIMAGE_ENV,              /* "env": the environment strings */
    PROCIMAGE_EXECFN,           /* "execfn": AT_EXECFN's string */
    PROCIMAGE_END,              /* "end.marker": the zeros at the top */
    PROCIMAGE_PARTS
};

struct procimage_range {
    uint32_t lo, hi;            /* [lo, hi), virtual addresses */
};

struct procimage {
    uint32_t sp, top;           /* sp points at argc; the image is [sp, top) */
    uint32_t argv, envp, auxv;  /* where argv[], envp[] and the auxv begin */
    struct procimage_range part[PROCIMAGE_PARTS];
    const char *error;          /* why procimage_build refused, else NULL */
};

/* Bytes from the image's sp to top, padding included, for an image whose
 * top is at the virtual address top (the padding depends on it); 0 when
 * procimage_build would refuse these arguments. */
uint32_t procimage_size(const struct procimage_args *a, uint32_t top);

/* Builds the image that ends at the virtual address top in buf, whose
 * size bytes stand for [top - size, top): buf[size - 1] is at top - 1.
 * Writes [img->sp, top) and nothing else. Returns 0, or -1 with
 * img->error saying why when the arguments are bad or do not fit. */
int procimage_build(uint8_t *buf, uint32_t top, uint32_t size,
                    const struct procimage_args *a, struct procimage *img);

/* The part's name for the atlas ("argv", "env", ...). */
const char *procimage_part_name(enum procimage_part p);
/* The part the address is in, or PROCIMAGE_PARTS when it is in none. */
enum procimage_part procimage_part_at(const struct procimage *img, uint32_t addr);

#endif
