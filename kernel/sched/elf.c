/*
 * elf.c - checking a static i386 ELF32 program held in memory (see elf.h).
 *
 * Every field is read with memcpy at an offset checked against the image's
 * size, so a header may be anywhere and claim anything. i386 and every host
 * this is tested on are little-endian, as the program must be: the bytes
 * are used as they are.
 */
#include "sched/elf.h"

#include <stdarg.h>

#include "lib/format.h"
#include "lib/string.h"

/* The ELF header (System V ABI, 32-bit): sizes and field offsets. */
#define EHDR_SIZE       52
#define EI_CLASS        4
#define EI_DATA         5
#define ELFCLASS32      1
#define ELFDATA2LSB     1
#define E_TYPE          16
#define E_MACHINE       18
#define E_ENTRY         24
#define E_PHOFF         28
#define E_PHENTSIZE     42
#define E_PHNUM         44
#define ET_EXEC         2
#define ET_DYN          3
#define EM_386          3
#define PN_XNUM         0xffff  /* the real count is elsewhere: not supported */
#define E_SHOFF         32
#define E_SHENTSIZE     46
#define E_SHNUM         48
#define E_SHSTRNDX      50

/* One section header. */
#define SHDR_SIZE       40
#define SH_NAME         0
#define SH_TYPE         4
#define SH_FLAGS        8
#define SH_ADDR         12
#define SH_OFFSET       16
#define SH_SIZE         20
#define SHT_NOBITS      8
#define SHF_WRITE       0x1
#define SHF_ALLOC       0x2
#define SHF_EXECINSTR   0x4
#define SHF_TLS         0x400

/* One program header. */
#define PHDR_SIZE       32
#define P_TYPE          0
#define P_OFFSET        4
#define P_VADDR         8
#define P_FILESZ        16
#define P_MEMSZ         20
#define P_FLAGS         24
#define P_ALIGN         28
#define PT_LOAD         1
#define PT_INTERP       3
#define PT_PHDR         6
#define PT_TLS          7
#define PT_GNU_STACK    0x6474e551
#define PF_MASK         (ELF_PERM_R | ELF_PERM_W | ELF_PERM_X)

static const uint8_t elf_magic[4] = { 0x7f, 'E', 'L', 'F' };

/* One program header, read. */
struct phdr {
    uint32_t type, offset, vaddr, filesz, memsz, flags, align;
};

struct parse {
    const uint8_t *img;
    size_t size;
    struct elf_image *out;
    char *why;
    size_t why_size;
};

static uint16_t rd16(const uint8_t *p, size_t off)
{
    uint16_t v;
    memcpy(&v, p + off, sizeof v);
    return v;
}

static uint32_t rd32(const uint8_t *p, size_t off)
{
    uint32_t v;
    memcpy(&v, p + off, sizeof v);
    return v;
}

static int fail(struct parse *p, const char *fmt, ...) PRINTF_LIKE(2, 3);
static int fail(struct parse *p, const char *fmt, ...)
{
    if (p->why && p->why_size) {
        va_list ap;
        va_start(ap, fmt);
        format_buf_v(p->why, p->why_size, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* [off, off + len) lies inside the image, without overflowing. */
static bool in_file(const struct parse *p, uint32_t off, uint32_t len)
{
    return off <= p->size && len <= p->size - off;
}

static bool power_of_two(uint32_t x)
{
    return x && !(x & (x - 1));
}

static uint32_t page_down(uint32_t a)
{
    return a & ~(uint32_t)(PAGE_SIZE - 1);
}

/* a < KERNEL_VIRT_BASE, so rounding up stays within 32 bits. */
static uint32_t page_up(uint32_t a)
{
    return page_down(a + PAGE_SIZE - 1);
}

static int check_header(struct parse *p)
{
    const uint8_t *h = p->img;
    if (p->size < EHDR_SIZE || memcmp(h, elf_magic, sizeof elf_magic) != 0)
        return fail(p, "not an ELF file");
    if (h[EI_CLASS] != ELFCLASS32)
        return fail(p, "not 32-bit");
    if (h[EI_DATA] != ELFDATA2LSB)
        return fail(p, "not little-endian");
    if (rd16(h, E_MACHINE) != EM_386)
        return fail(p, "not i386");
    uint16_t type = rd16(h, E_TYPE);
    if (type != ET_EXEC && type != ET_DYN)
        return fail(p, "not an executable (ET_EXEC or ET_DYN static-pie)");
    struct elf_image *out = p->out;
    out->kind = type == ET_EXEC ? ELF_KIND_EXEC : ELF_KIND_STATIC_PIE;
    out->entry = rd32(h, E_ENTRY);
    out->phentsize = rd16(h, E_PHENTSIZE);
    out->phnum = rd16(h, E_PHNUM);
    if (out->phentsize != PHDR_SIZE)
        return fail(p, "program headers of %u bytes, not %u", out->phentsize, PHDR_SIZE);
    if (out->phnum == 0 || out->phnum == PN_XNUM)
        return fail(p, "%s program headers", out->phnum ? "too many" : "no");
    if (!in_file(p, rd32(h, E_PHOFF), (uint32_t)out->phnum * PHDR_SIZE))
        return fail(p, "program header table outside the file");
    return 0;
}

static void read_phdr(const struct parse *p, unsigned i, struct phdr *ph)
{
    const uint8_t *at = p->img + rd32(p->img, E_PHOFF) + (size_t)i * PHDR_SIZE;
    ph->type = rd32(at, P_TYPE);
    ph->offset = rd32(at, P_OFFSET);
    ph->vaddr = rd32(at, P_VADDR);
    ph->filesz = rd32(at, P_FILESZ);
    ph->memsz = rd32(at, P_MEMSZ);
    ph->flags = rd32(at, P_FLAGS);
    ph->align = rd32(at, P_ALIGN);
}

/* What PT_LOAD and PT_TLS share: bytes in the file, memsz >= filesz, an
 * alignment that is a power of two (0 and 1: none). */
static int check_bytes(struct parse *p, unsigned i, const struct phdr *ph)
{
    if (!in_file(p, ph->offset, ph->filesz))
        return fail(p, "segment %u file bytes outside the file", i);
    if (ph->memsz < ph->filesz)
        return fail(p, "segment %u memsz smaller than filesz", i);
    if (ph->align > 1 && !power_of_two(ph->align))
        return fail(p, "segment %u alignment 0x%x is not a power of two", i, ph->align);
    return 0;
}

static bool overlaps(const struct elf_load *a, const struct phdr *b)
{
    return a->vaddr < b->vaddr + b->memsz && b->vaddr < a->vaddr + a->memsz;
}

static int add_load(struct parse *p, unsigned i, const struct phdr *ph)
{
    struct elf_image *out = p->out;
    if (check_bytes(p, i, ph))
        return -1;
    if (ph->memsz == 0)
        return 0;       /* maps nothing: ignored, as Linux does */
    if (ph->memsz > KERNEL_VIRT_BASE || ph->vaddr > KERNEL_VIRT_BASE - ph->memsz)
        return fail(p, "segment %u reaches kernel space (0x%x and above)", i,
                    (unsigned)KERNEL_VIRT_BASE);
    if (ph->align > 1 && (ph->vaddr - ph->offset) % ph->align)
        return fail(p, "segment %u vaddr and offset disagree modulo its alignment", i);
    for (unsigned k = 0; k < out->load_count; k++)
        if (overlaps(&out->loads[k], ph))
            return fail(p, "segment %u overlaps another", i);
    if (out->load_count == ELF_LOAD_MAX)
        return fail(p, "too many segments (more than %u to load)", ELF_LOAD_MAX);
    out->loads[out->load_count++] = (struct elf_load){
        .vaddr = ph->vaddr, .memsz = ph->memsz, .offset = ph->offset,
        .filesz = ph->filesz, .perm = ph->flags & PF_MASK, .align = ph->align,
    };
    return 0;
}

static int add_tls(struct parse *p, unsigned i, const struct phdr *ph)
{
    if (p->out->has_tls)
        return fail(p, "segment %u is a second PT_TLS", i);
    if (check_bytes(p, i, ph))
        return -1;
    p->out->has_tls = true;
    p->out->tls = (struct elf_tls){ .vaddr = ph->vaddr, .filesz = ph->filesz,
                                    .memsz = ph->memsz, .align = ph->align };
    return 0;
}

static int read_segments(struct parse *p)
{
    struct elf_image *out = p->out;
    for (unsigned i = 0; i < out->phnum; i++) {
        struct phdr ph;
        read_phdr(p, i, &ph);
        int bad = 0;
        switch (ph.type) {
        case PT_INTERP:
            return fail(p, "needs a dynamic loader (PT_INTERP)");
        case PT_LOAD:
            bad = add_load(p, i, &ph);
            break;
        case PT_TLS:
            bad = add_tls(p, i, &ph);
            break;
        case PT_GNU_STACK:
            out->exec_stack = (ph.flags & ELF_PERM_X) != 0;
            break;
        case PT_PHDR:
            out->has_phdr = true;
            out->phdr = ph.vaddr;
            break;
        default:
            break;      /* notes, PT_DYNAMIC, RELRO ...: nothing to load */
        }
        if (bad)
            return -1;
    }
    return out->load_count ? 0 : fail(p, "no segment to load");
}

/* Without PT_PHDR: the table's address inside the PT_LOAD whose file bytes
 * hold it, if one does (Linux does the same for AT_PHDR). */
static void find_phdr(struct parse *p)
{
    struct elf_image *out = p->out;
    uint32_t phoff = rd32(p->img, E_PHOFF);
    uint32_t len = (uint32_t)out->phnum * PHDR_SIZE;
    for (unsigned k = 0; k < out->load_count && !out->has_phdr; k++) {
        const struct elf_load *l = &out->loads[k];
        if (phoff >= l->offset && phoff - l->offset <= l->filesz &&
            len <= l->filesz - (phoff - l->offset)) {
            out->has_phdr = true;
            out->phdr = l->vaddr + (phoff - l->offset);
        }
    }
}

static int check_entry(struct parse *p)
{
    const struct elf_image *out = p->out;
    for (unsigned k = 0; k < out->load_count; k++) {
        const struct elf_load *l = &out->loads[k];
        if ((l->perm & ELF_PERM_X) && out->entry >= l->vaddr &&
            out->entry - l->vaddr < l->memsz)
            return 0;
    }
    return fail(p, "entry point 0x%x outside every executable segment", out->entry);
}

static void find_bounds(struct elf_image *out)
{
    out->lo = UINT32_MAX;
    out->hi = 0;
    for (unsigned k = 0; k < out->load_count; k++) {
        const struct elf_load *l = &out->loads[k];
        if (l->vaddr < out->lo)
            out->lo = l->vaddr;
        if (l->vaddr + l->memsz > out->hi)
            out->hi = l->vaddr + l->memsz;
    }
    out->lo = page_down(out->lo);
    out->hi = page_up(out->hi);
}

int elf_parse(const void *image, size_t size, struct elf_image *out, char *why,
              size_t why_size)
{
    struct parse p = { .img = image, .size = size, .out = out, .why = why,
                       .why_size = why_size };
    memset(out, 0, sizeof *out);
    if (why && why_size)
        why[0] = '\0';
    if (check_header(&p) || read_segments(&p) || check_entry(&p)) {
        memset(out, 0, sizeof *out);
        return -1;
    }
    find_phdr(&p);
    find_bounds(out);
    return 0;
}

/* ---- sections: names for the atlas ------------------------------------------------------ */

int elf_sections(const void *image, size_t size, elf_section_fn fn, void *ctx)
{
    const uint8_t *img = image;
    if (size < EHDR_SIZE || memcmp(img, elf_magic, sizeof elf_magic) != 0)
        return -1;
    uint32_t shoff = rd32(img, E_SHOFF);
    uint16_t entsize = rd16(img, E_SHENTSIZE), num = rd16(img, E_SHNUM);
    uint16_t strndx = rd16(img, E_SHSTRNDX);
    if (!shoff || !num)
        return 0;                       /* stripped of its section table: no names */
    if (entsize != SHDR_SIZE || strndx >= num || shoff > size ||
        (size_t)num * SHDR_SIZE > size - shoff)
        return -1;
    const uint8_t *strtab_hdr = img + shoff + (size_t)strndx * SHDR_SIZE;
    uint32_t str_off = rd32(strtab_hdr, SH_OFFSET), str_size = rd32(strtab_hdr, SH_SIZE);
    if (str_off > size || str_size > size - str_off)
        return -1;
    int count = 0;
    for (unsigned i = 0; i < num; i++) {
        const uint8_t *sh = img + shoff + (size_t)i * SHDR_SIZE;
        uint32_t flags = rd32(sh, SH_FLAGS), addr = rd32(sh, SH_ADDR), len = rd32(sh, SH_SIZE);
        uint32_t name = rd32(sh, SH_NAME);
        /* TLS sections hold the template: their addresses are not where the
         * variables live. */
        if (!(flags & SHF_ALLOC) || (flags & SHF_TLS) || !addr || !len ||
            len > 0xFFFFFFFFu - addr || name >= str_size)
            continue;
        const char *s = (const char *)img + str_off + name;
        size_t n = strnlen(s, str_size - name);
        if (n == str_size - name || n == 0)
            continue;                   /* no NUL inside the table, or no name */
        struct elf_section sec = {
            .name = s, .addr = addr, .size = len,
            .perm = ELF_PERM_R | ((flags & SHF_WRITE) ? ELF_PERM_W : 0) |
                    ((flags & SHF_EXECINSTR) ? ELF_PERM_X : 0),
            .nobits = rd32(sh, SH_TYPE) == SHT_NOBITS,
        };
        fn(ctx, &sec);
        count++;
    }
    return count;
}
