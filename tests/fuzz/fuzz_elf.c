/*
 * fuzz_elf.c - elf_parse on arbitrary bytes (docs/fuzzing.md).
 *
 * The input is the image, in a buffer of exactly its size, so that ASan
 * reports any read past it. A rejected image must leave a reason and an
 * all-zero struct; an accepted one must be something a loader can place:
 * every check below is a promise elf.h makes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_fail.h"
#include "sched/elf.h"

static struct elf_image parsed, again;
static char why[ELF_WHY_LEN];

static void check_rejected(void)
{
    static const struct elf_image zero;
    if (!why[0] || !memchr(why, '\0', sizeof why))
        fuzz_fail("rejected without a reason");
    if (memcmp(&parsed, &zero, sizeof parsed) != 0)
        fuzz_fail("rejected (%s) with fields left set", why);
}

/* One load: its bytes in the file, filesz <= memsz, below the kernel. */
static void check_load(const struct elf_load *l, unsigned k, size_t size)
{
    if (l->offset > size || l->filesz > size - l->offset)
        fuzz_fail("load %u: file bytes [0x%x, +0x%x) outside %zu bytes", k, l->offset,
                  l->filesz, size);
    if (l->filesz > l->memsz || l->memsz == 0)
        fuzz_fail("load %u: filesz 0x%x, memsz 0x%x", k, l->filesz, l->memsz);
    if ((uint64_t)l->vaddr + l->memsz > KERNEL_VIRT_BASE)
        fuzz_fail("load %u: [0x%x, +0x%x) reaches kernel space", k, l->vaddr, l->memsz);
    if (l->perm & ~(uint32_t)(ELF_PERM_R | ELF_PERM_W | ELF_PERM_X))
        fuzz_fail("load %u: permissions 0x%x", k, l->perm);
    if (l->align > 1 && ((l->align & (l->align - 1)) || (l->vaddr - l->offset) % l->align))
        fuzz_fail("load %u: alignment 0x%x for vaddr 0x%x offset 0x%x", k, l->align,
                  l->vaddr, l->offset);
}

static void check_loads(const struct elf_image *e, size_t size)
{
    if (e->load_count < 1 || e->load_count > ELF_LOAD_MAX)
        fuzz_fail("%u loads", e->load_count);
    uint32_t lo = UINT32_MAX, hi = 0;
    bool entry_ok = false;
    for (unsigned k = 0; k < e->load_count; k++) {
        const struct elf_load *l = &e->loads[k];
        check_load(l, k, size);
        for (unsigned j = 0; j < k; j++)
            if (l->vaddr < e->loads[j].vaddr + e->loads[j].memsz &&
                e->loads[j].vaddr < l->vaddr + l->memsz)
                fuzz_fail("loads %u and %u overlap", j, k);
        if ((l->perm & ELF_PERM_X) && e->entry >= l->vaddr && e->entry - l->vaddr < l->memsz)
            entry_ok = true;
        lo = l->vaddr < lo ? l->vaddr : lo;
        hi = l->vaddr + l->memsz > hi ? l->vaddr + l->memsz : hi;
    }
    if (!entry_ok)
        fuzz_fail("entry 0x%x is in no executable load", e->entry);
    if (e->lo % PAGE_SIZE || e->hi % PAGE_SIZE || e->lo > lo || lo - e->lo >= PAGE_SIZE ||
        e->hi < hi || e->hi - hi >= PAGE_SIZE || e->hi > KERNEL_VIRT_BASE)
        fuzz_fail("bounds [0x%x, 0x%x) for loads [0x%x, 0x%x)", e->lo, e->hi, lo, hi);
    for (unsigned k = e->load_count; k < ELF_LOAD_MAX; k++)
        if (e->loads[k].memsz || e->loads[k].vaddr || e->loads[k].filesz)
            fuzz_fail("load %u set past load_count %u", k, e->load_count);
}

static void check_accepted(const uint8_t *data, size_t size)
{
    const struct elf_image *e = &parsed;
    if (why[0])
        fuzz_fail("accepted with a reason: %s", why);
    if (e->kind != ELF_KIND_EXEC && e->kind != ELF_KIND_STATIC_PIE)
        fuzz_fail("kind %d", (int)e->kind);
    if (e->phentsize != 32 || e->phnum == 0)
        fuzz_fail("phentsize %u, phnum %u", e->phentsize, e->phnum);
    uint32_t phoff;
    memcpy(&phoff, data + 28, sizeof phoff);
    if (phoff > size || (size_t)e->phnum * 32 > size - phoff)
        fuzz_fail("the program header table [0x%x, +%u) is outside the file", phoff,
                  e->phnum * 32u);
    check_loads(e, size);
    if (e->has_tls && e->tls.filesz > e->tls.memsz)
        fuzz_fail("TLS filesz 0x%x > memsz 0x%x", e->tls.filesz, e->tls.memsz);
    if (!e->has_tls && (e->tls.vaddr || e->tls.memsz || e->tls.filesz || e->tls.align))
        fuzz_fail("TLS fields without PT_TLS");
    if (!e->has_phdr && e->phdr)
        fuzz_fail("a phdr address 0x%x without has_phdr", e->phdr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A section elf_sections hands over: its name lies inside the image and
 * ends there, and the section fits below 4 GiB. */
static void check_section(void *ctx, const struct elf_section *s)
{
    const uint8_t *img = ((const uint8_t **)ctx)[0];
    size_t size = (size_t)((const uint8_t **)ctx)[1];
    const uint8_t *name = (const uint8_t *)s->name;
    if (name < img || name >= img + size || !memchr(name, 0, (size_t)(img + size - name)))
        fuzz_fail("a section's name is not a string inside the image");
    if (!s->size || s->size > 0xFFFFFFFFu - s->addr)
        fuzz_fail("a section of size 0x%x at 0x%x", s->size, s->addr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *image = malloc(size ? size : 1);
    if (!image)
        return 0;
    memcpy(image, data, size);
    memset(&parsed, 0xA5, sizeof parsed);
    int got = elf_parse(image, size, &parsed, why, sizeof why);
    if (got == 0)
        check_accepted(image, size);
    else if (got == -1)
        check_rejected();
    else
        fuzz_fail("elf_parse returned %d", got);
    /* The same answer again, into a struct that starts otherwise. */
    memset(&again, 0, sizeof again);
    if (elf_parse(image, size, &again, NULL, 0) != got ||
        memcmp(&parsed, &again, sizeof parsed) != 0)
        fuzz_fail("parsing the same image again gives another answer");
    const void *ctx[2] = { image, (const void *)size };
    int n = elf_sections(image, size, check_section, (void *)ctx);
    if (n < -1)
        fuzz_fail("elf_sections returned %d", n);
    free(image);
    return 0;
}
