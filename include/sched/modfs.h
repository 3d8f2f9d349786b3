/*
 * modfs.h - the names of the read-only file system programs see: a flat
 * list of absolute paths, each naming a file (a boot module) or a link,
 * and the directories those paths imply. "/a/b/c" in the list makes "/",
 * "/a" and "/a/b" directories; nothing else exists.
 *
 * A path a program gives is walked component by component as Linux walks
 * it: "." stays, ".." goes up (and stays at "/"), repeated slashes count
 * as one, every component but the last must be a directory (ENOTDIR when
 * it is a file, ENOENT when it is nothing), and a trailing slash asks for
 * a directory. When two list entries give the same path, the first one
 * added wins.
 *
 * Pure C: no allocation, no kernel calls; built into the kernel and for
 * the host tests and a fuzz target.
 */
#ifndef SCHED_MODFS_H
#define SCHED_MODFS_H

#include <stdbool.h>
#include <stdint.h>

#define MODFS_PATH_MAX      4096    /* Linux's PATH_MAX, the NUL included */
#define MODFS_NAME_MAX      255     /* one component, as Linux's NAME_MAX */
#define MODFS_ENTRY_LEN     160     /* one list entry's path, the NUL included */
#define MODFS_ENTRIES_MAX   56

/* Errors, negated: Linux's i386 errno values, so they can be returned as
 * they are. */
#define MODFS_ENOENT        2
#define MODFS_ENOTDIR       20
#define MODFS_EINVAL        22
#define MODFS_ENOSPC        28
#define MODFS_ENAMETOOLONG  36

enum modfs_type { MODFS_NONE, MODFS_DIR, MODFS_FILE, MODFS_LINK };

struct modfs_entry {
    char path[MODFS_ENTRY_LEN];     /* absolute, normalised: "/modules/data.txt" */
    uint16_t len;
    uint8_t type;                   /* MODFS_FILE or MODFS_LINK */
    uint32_t id;                    /* the caller's: which file or link */
};

struct modfs {
    unsigned count;
    struct modfs_entry e[MODFS_ENTRIES_MAX];
};

/*
 * What a path names. A file or link is its entry (entry, id); a directory
 * is the first len bytes of entry `entry`'s path ("/" when len is 1, and
 * then entry is 0 whatever the list holds).
 */
struct modfs_node {
    uint8_t type;
    uint16_t entry, len;
    uint32_t id;
};

void modfs_init(struct modfs *fs);

/* The root directory, "/". */
struct modfs_node modfs_root(void);

/*
 * Normalises path (absolute or relative to "/", "." and ".." taken
 * lexically) into out (out_size bytes): "a//b/./c" -> "/a/b/c". Its length,
 * or -MODFS_ENAMETOOLONG when it does not fit, or -MODFS_EINVAL when the
 * result is "/" alone (it names no file).
 */
int modfs_normalise(const char *path, char *out, unsigned out_size);

/* Adds an entry for the absolute or relative path (normalised first) of
 * type MODFS_FILE or MODFS_LINK. 0, -MODFS_EINVAL (a bad type, or the path
 * is "/"), -MODFS_ENAMETOOLONG, or -MODFS_ENOSPC when the list is full. */
int modfs_add(struct modfs *fs, const char *path, uint8_t type, uint32_t id);

/* The last component of the normalised path: "/boot/x/data.txt" -> "data.txt"
 * (a pointer into path). */
const char *modfs_basename(const char *path);

/*
 * Walks path from the directory base (the root for an absolute path) and
 * sets *out to what it names. A link is not followed: it is what *out
 * names when it is the last component (links here name files, so a link
 * before the end is ENOTDIR). 0, or -MODFS_ENOENT (nothing, or an empty
 * path), -MODFS_ENOTDIR, -MODFS_ENAMETOOLONG (a component over
 * MODFS_NAME_MAX bytes).
 */
int modfs_lookup(const struct modfs *fs, const struct modfs_node *base, const char *path,
                 struct modfs_node *out);

/* A directory's path, written to out (out_size bytes, at least
 * MODFS_ENTRY_LEN); its length. */
unsigned modfs_dir_path(const struct modfs *fs, const struct modfs_node *dir, char *out,
                        unsigned out_size);

/*
 * Lists a directory: from *cookie (0 at the start) finds the next name in
 * it, each name once, in the order the list first gives it. Copies the name
 * (NUL-terminated) to name (at least MODFS_NAME_MAX + 1 bytes), sets *node
 * to what it is and moves *cookie on; false when there are no more.
 */
bool modfs_list(const struct modfs *fs, const struct modfs_node *dir, uint32_t *cookie,
                char *name, struct modfs_node *node);

/* A directory's inode number: stable for its path, never below 0x80000000
 * (files are numbered by the caller, below that). */
uint32_t modfs_dir_ino(const struct modfs *fs, const struct modfs_node *dir);

#endif
