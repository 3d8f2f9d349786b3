/*
 * vma.h - the map of a process's address space: which virtual ranges are
 * reserved, with which permissions, and what fills their pages.
 *
 * A set holds areas ([start, end), whole pages) sorted by address, never
 * overlapping, all inside the set's range [lo, hi). It is what a process's
 * mmap, munmap, mprotect and brk change, and what its page faults read: a
 * fault at an address in no area, or against an area's permissions, is the
 * process's error; one inside an area tells the kernel what the page holds.
 *
 * Pure C: no allocation (the caller gives the array of areas and its size),
 * no kernel calls; built into the kernel and for the host tests and a fuzz
 * target (docs/fuzzing.md).
 *
 * Merging: two areas that touch and are alike (same kind, prot, flags and
 * name and, for VMA_FILE, the second's file bytes following on from the
 * first's, see vma_mergeable) are kept as one. vma_insert, vma_protect and
 * vma_resize merge what they make with its neighbours, so a set is always
 * as merged as it can be (vma_check says so) and cycles of mmap and munmap,
 * or mprotect one way and back, give slots back instead of using them up.
 * A caller that wants two areas kept apart gives them different names.
 *
 * Errors are negative: -VMA_E*. Three have the value of Linux's i386 errno
 * of the same meaning (EINVAL, ENOMEM, EACCES), so the system calls can
 * return them as they are; the others are the set's own, and the system
 * call says what they mean to a program (Linux gives ENOMEM when a process
 * has too many areas, EEXIST for MAP_FIXED_NOREPLACE over an area).
 */
#ifndef MM_VMA_H
#define MM_VMA_H

#include <stdint.h>

#include "memlayout.h"

/* Permissions, prot: any of these, or 0 (PROT_NONE: reserved, no access). */
#define VMA_READ    1
#define VMA_WRITE   2
#define VMA_EXEC    4
#define VMA_PROT_ALL (VMA_READ | VMA_WRITE | VMA_EXEC)

#define VMA_NAME_LEN 16         /* name's bytes, its NUL included */

/* What fills an area's pages. Only VMA_FILE uses file_base and file_size;
 * for the others they are 0 in the set (vma_insert clears them). */
enum vma_kind {
    VMA_ANON,           /* zero-filled on first touch (mmap MAP_ANONYMOUS) */
    VMA_FILE,           /* bytes of a file image, then zeroes (ELF segments) */
    VMA_HEAP,           /* brk: anonymous, grown and shrunk by vma_resize */
    VMA_STACK,          /* the process stack: anonymous */
    VMA_GUARD,          /* reserved and never accessible: prot is always 0 */
    VMA_KIND_COUNT
};

enum vma_error {
    VMA_ENOMEM   = 12,      /* Linux ENOMEM: a page is in no area; no gap */
    VMA_EACCES   = 13,      /* Linux EACCES: permissions on a VMA_GUARD area */
    VMA_EINVAL   = 22,      /* Linux EINVAL: unaligned, empty, wraps, bad field */
    VMA_EOVERLAP = 1001,    /* the range holds (part of) an area already */
    VMA_ERANGE   = 1002,    /* the range is not inside the set's [lo, hi) */
    VMA_EFULL    = 1003,    /* the result needs more areas than the storage holds */
};

/*
 * One area. For VMA_FILE, the page at address a (start <= a < end) holds
 * the file's bytes from offset file_base + (a - start), as many of them as
 * are below file_base + file_size, and zeroes after them: file_size counts
 * the file bytes that back the area from its start; the rest of it is
 * zero-filled (a segment's bss). Splitting an area adds the length cut off
 * its front to file_base and takes it from file_size, so every page keeps
 * its bytes whatever is split.
 *
 * An ELF segment whose vaddr is not page aligned is put in an area that
 * starts at the page holding vaddr: file_base = offset - vaddr % PAGE_SIZE
 * and file_size = filesz + vaddr % PAGE_SIZE, so that the page offsets
 * still match (the ELF rule vaddr == offset modulo the page size); what
 * the first page holds below vaddr is the caller's business.
 */
struct vma {
    uint32_t start, end;        /* page aligned, start < end */
    uint8_t prot;               /* VMA_READ | VMA_WRITE | VMA_EXEC, or 0 */
    uint8_t kind;               /* enum vma_kind */
    uint16_t flags;             /* the caller's bits, kept as they are */
    uint32_t file_base;         /* VMA_FILE: file offset of the page at start */
    uint32_t file_size;         /* VMA_FILE: file bytes from start, <= end - start */
    char name[VMA_NAME_LEN];    /* "text", "heap", ...: NUL-terminated */
};

/* A set: v[0 .. count) in use, sorted by start, of cap slots; every area
 * inside [lo, hi). Change it only through the functions below. */
struct vma_set {
    struct vma *v;
    unsigned count, cap;
    uint32_t lo, hi;
};

/*
 * Makes *s an empty set over storage[0 .. cap) for areas inside [lo, hi).
 * lo and hi must be page aligned with lo < hi (so hi is at most 4 GiB less
 * a page: no area holds the top page); storage may be NULL only when cap
 * is 0. 0, or -VMA_EINVAL, and then *s is an empty set of no slots and an
 * empty range, which refuses every insert.
 */
int vma_init(struct vma_set *s, struct vma *storage, unsigned cap, uint32_t lo, uint32_t hi);

/* The area holding addr, or NULL. A binary search: O(log count). */
const struct vma *vma_find(const struct vma_set *s, uint32_t addr);

/*
 * Adds the area *a (copied; *a is not changed). It must be page aligned
 * and non-empty, prot only VMA_READ, VMA_WRITE and VMA_EXEC bits (0 for
 * VMA_GUARD), kind a vma_kind, name NUL-terminated within VMA_NAME_LEN,
 * and for VMA_FILE file_base + (end - start) at most 4 GiB; else
 * -VMA_EINVAL. The copy has the bytes after the name's NUL cleared, a
 * VMA_FILE's file_size cut to end - start, and the file fields of the
 * other kinds set to 0. -VMA_ERANGE when it is not inside [lo, hi),
 * -VMA_EOVERLAP when any of its pages is in an area already, -VMA_EFULL
 * when there is no slot for it after merging with its neighbours. On an
 * error the set is unchanged; 0 on success.
 *
 * A stack that grows down grows by inserting the pages below it with its
 * kind, prot, flags and name: they merge into it.
 */
int vma_insert(struct vma_set *s, const struct vma *a);

/*
 * Like munmap: removes [start, start + len) from every area, len rounded
 * up to whole pages. Areas partly inside keep the rest (an area cut in two
 * keeps the part above, with its file offset moved on). Pages in no area
 * are fine. -VMA_EINVAL when start is not page aligned, len is 0 or the
 * range wraps past 4 GiB; -VMA_EFULL when an area cut in two needs a slot
 * and none is free. On an error the set is unchanged and gone() is not
 * called.
 *
 * gone (which may be NULL) is called with ctx once for each piece removed,
 * in address order, BEFORE the set changes and only once nothing can fail:
 * the piece is the part of an area inside the range, its start, end,
 * file_base and file_size those of that part. gone must not change the set.
 */
int vma_remove(struct vma_set *s, uint32_t start, uint32_t len,
               void (*gone)(void *ctx, const struct vma *piece), void *ctx);

/*
 * Like mprotect: gives [start, start + len) (len rounded up to whole
 * pages) the permissions prot, splitting the areas at its ends and merging
 * what has become alike. -VMA_EINVAL for an unaligned start, len 0, a
 * range that wraps or bits other than VMA_PROT_ALL in prot; -VMA_ENOMEM
 * (Linux's answer) when any page of the range is in no area; -VMA_EACCES
 * when prot is not 0 and the range holds part of a VMA_GUARD area;
 * -VMA_EFULL when the result needs more slots than there are (counted
 * after merging). On an error the set is unchanged; 0 on success.
 */
int vma_protect(struct vma_set *s, uint32_t start, uint32_t len, uint8_t prot);

/*
 * Where mmap without an address puts len bytes (rounded up to whole pages):
 * the highest free range, top-down as Linux does on i386, that ends at or
 * below `below` (rounded down to a page) and at or below hi, and starts at
 * or above lo. Sets *start and returns 0; -VMA_EINVAL for len 0 or no
 * start, -VMA_ENOMEM when no free range is that long (*start is then left
 * as it was). Changes nothing in the set: the caller inserts the area.
 */
int vma_find_gap(const struct vma_set *s, uint32_t len, uint32_t below, uint32_t *start);

/*
 * Moves the end of the area that starts at `start` to new_end (page
 * aligned): brk. Growing adds pages like the area's last ones (for
 * VMA_FILE, zero-filled: file_size stays) and merges with the next area
 * when they now touch and are alike; shrinking drops the top pages, and
 * shrinking to start removes the area. -VMA_EINVAL when no area starts at
 * start, new_end is unaligned or below start, or a VMA_FILE area's file
 * offsets would pass 4 GiB; -VMA_ERANGE when new_end is above hi;
 * -VMA_EOVERLAP when growing would take a page of the next area. On an
 * error the set is unchanged; 0 on success. The caller frees the pages of
 * a shrink, which it knows: [new_end, old end).
 */
int vma_resize(struct vma_set *s, uint32_t start, uint32_t new_end);

/* Calls fn(ctx, area) for each area in address order. fn must not change
 * the set; a non-zero return stops the walk and is returned; else 0. */
int vma_for_each(const struct vma_set *s, int (*fn)(void *ctx, const struct vma *a),
                 void *ctx);

/*
 * Checks every invariant of a set: count <= cap, lo and hi aligned with
 * lo <= hi, and each area non-empty, page aligned, inside [lo, hi), after
 * the one before it, with valid prot and kind (prot 0 for VMA_GUARD), a
 * NUL-terminated name cleared after its NUL, file fields as vma_insert
 * leaves them, and no two neighbours that should have been merged. NULL
 * when all hold, else what is wrong (a constant string).
 */
const char *vma_check(const struct vma_set *s);

/*
 * Whether b may be merged onto the end of a: they touch (a->end ==
 * b->start), have the same kind, prot, flags and name, and for VMA_FILE
 * b's file bytes follow a's (b->file_base == a->file_base + a's length)
 * and a is backed by the file to its end whenever b has file bytes at all.
 */
int vma_mergeable(const struct vma *a, const struct vma *b);

/*
 * What the page at page (page aligned, inside *a) holds: returns how many
 * of its bytes come from the file (0 to PAGE_SIZE; always 0 when a is not
 * VMA_FILE) and sets *offset to the file offset of its first byte (for
 * VMA_FILE; else 0). The rest of the page is zeroes.
 */
uint32_t vma_page_source(const struct vma *a, uint32_t page, uint32_t *offset);

/* A short name for a return value: "ok", "EINVAL", "EFULL", ... */
const char *vma_strerror(int err);

#endif
