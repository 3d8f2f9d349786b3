/*
 * test_modfs.c - the names of the programs' read-only file system: paths
 * normalised, walked as Linux walks them (ENOENT, ENOTDIR, ENAMETOOLONG,
 * ".", "..", trailing slashes), directories implied by the entries, and
 * directory listings that give each name once.
 */
#include "check.h"
#include "sched/modfs.h"

static struct modfs fs;

/* The list the kernel makes for two modules and /proc/self. */
static void setup(void)
{
    modfs_init(&fs);
    REQUIRE_INT_EQ(modfs_add(&fs, "build/x/data.txt", MODFS_FILE, 7), 0);
    REQUIRE_INT_EQ(modfs_add(&fs, "/data.txt", MODFS_FILE, 7), 0);
    REQUIRE_INT_EQ(modfs_add(&fs, "/modules/data.txt", MODFS_FILE, 7), 0);
    REQUIRE_INT_EQ(modfs_add(&fs, "prog", MODFS_FILE, 8), 0);
    REQUIRE_INT_EQ(modfs_add(&fs, "/modules/prog", MODFS_FILE, 8), 0);
    REQUIRE_INT_EQ(modfs_add(&fs, "/proc/self/exe", MODFS_LINK, 99), 0);
}

static int look(const char *path, struct modfs_node *n)
{
    struct modfs_node root = modfs_root();
    return modfs_lookup(&fs, &root, path, n);
}

static const char *dir_path(const struct modfs_node *n)
{
    static char buf[MODFS_ENTRY_LEN];
    modfs_dir_path(&fs, n, buf, sizeof buf);
    return buf;
}

static void normalise_paths(void)
{
    char out[32];
    CHECK_INT_EQ(modfs_normalise("a//b/./c", out, sizeof out), 6);
    CHECK_STR_EQ(out, "/a/b/c");
    CHECK_INT_EQ(modfs_normalise("/a/b/../../../c/", out, sizeof out), 2);
    CHECK_STR_EQ(out, "/c");
    CHECK_INT_EQ(modfs_normalise("./x", out, sizeof out), 2);
    CHECK_STR_EQ(out, "/x");
    CHECK_INT_EQ(modfs_normalise("/", out, sizeof out), -MODFS_EINVAL);
    CHECK_INT_EQ(modfs_normalise("a/..", out, sizeof out), -MODFS_EINVAL);
    CHECK_INT_EQ(modfs_normalise("", out, sizeof out), -MODFS_EINVAL);
    /* 31 bytes and the NUL fit in 32; 32 do not. */
    CHECK_INT_EQ(modfs_normalise("/123456789012345678901234567890", out, sizeof out), 31);
    CHECK_INT_EQ(modfs_normalise("/1234567890123456789012345678901", out, sizeof out),
                 -MODFS_ENAMETOOLONG);
    CHECK_INT_EQ(modfs_normalise("x", out, 1), -MODFS_ENAMETOOLONG);
}

static void add_refuses_bad_entries(void)
{
    modfs_init(&fs);
    CHECK_INT_EQ(modfs_add(&fs, "/", MODFS_FILE, 0), -MODFS_EINVAL);
    CHECK_INT_EQ(modfs_add(&fs, "x", MODFS_DIR, 0), -MODFS_EINVAL);
    char longname[MODFS_ENTRY_LEN + 8];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    CHECK_INT_EQ(modfs_add(&fs, longname, MODFS_FILE, 0), -MODFS_ENAMETOOLONG);
    for (unsigned i = 0; i < MODFS_ENTRIES_MAX; i++)
        CHECK_INT_EQ(modfs_add(&fs, "f", MODFS_FILE, i), 0);
    CHECK_INT_EQ(modfs_add(&fs, "g", MODFS_FILE, 0), -MODFS_ENOSPC);
    CHECK_INT_EQ(fs.count, MODFS_ENTRIES_MAX);
}

static void basenames(void)
{
    CHECK_STR_EQ(modfs_basename("/boot/x/data.txt"), "data.txt");
    CHECK_STR_EQ(modfs_basename("/data.txt"), "data.txt");
    CHECK_STR_EQ(modfs_basename("data.txt"), "data.txt");
}

static void files_by_every_name(void)
{
    setup();
    struct modfs_node n;
    const char *names[] = { "/build/x/data.txt", "build/x/data.txt", "data.txt", "/data.txt",
                            "./data.txt", "//data.txt", "/modules/data.txt",
                            "/modules/../data.txt", "../../data.txt", "build/./x//data.txt" };
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
        CHECK_INT_EQ(look(names[i], &n), 0);
        CHECK_INT_EQ(n.type, MODFS_FILE);
        CHECK_INT_EQ(n.id, 7);
    }
    CHECK_INT_EQ(look("prog", &n), 0);
    CHECK_INT_EQ(n.id, 8);
    CHECK_INT_EQ(look("/proc/self/exe", &n), 0);
    CHECK_INT_EQ(n.type, MODFS_LINK);
    CHECK_INT_EQ(n.id, 99);
}

static void directories_are_prefixes(void)
{
    setup();
    struct modfs_node n;
    const char *dirs[] = { "/", ".", "..", "/build", "build/x", "build/x/", "/modules//",
                           "/proc/self/.", "/proc/self/..", "/build/x/../.." };
    const char *want[] = { "/", "/", "/", "/build", "/build/x", "/build/x", "/modules",
                           "/proc/self", "/proc", "/" };
    for (unsigned i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        CHECK_INT_EQ(look(dirs[i], &n), 0);
        CHECK_INT_EQ(n.type, MODFS_DIR);
        CHECK_STR_EQ(dir_path(&n), want[i]);
    }
    /* Relative to a directory. */
    struct modfs_node mods;
    REQUIRE_INT_EQ(look("/modules", &mods), 0);
    CHECK_INT_EQ(modfs_lookup(&fs, &mods, "prog", &n), 0);
    CHECK_INT_EQ(n.id, 8);
    CHECK_INT_EQ(modfs_lookup(&fs, &mods, "../prog", &n), 0);
    CHECK_INT_EQ(modfs_lookup(&fs, &mods, "/prog", &n), 0);
    CHECK_INT_EQ(modfs_lookup(&fs, &mods, "build", &n), -MODFS_ENOENT);
    /* Inode numbers: one per directory, distinct, in the directories' range. */
    struct modfs_node a, b;
    REQUIRE_INT_EQ(look("/build", &a), 0);
    REQUIRE_INT_EQ(look("/build/x/..", &b), 0);
    CHECK_INT_EQ(modfs_dir_ino(&fs, &a), modfs_dir_ino(&fs, &b));
    CHECK(modfs_dir_ino(&fs, &a) != modfs_dir_ino(&fs, &mods));
    CHECK(modfs_dir_ino(&fs, &a) >= 0x80000000u);
}

static void linux_errors(void)
{
    setup();
    struct modfs_node n = { 0 };
    CHECK_INT_EQ(look("", &n), -MODFS_ENOENT);
    CHECK_INT_EQ(look("nothing", &n), -MODFS_ENOENT);
    CHECK_INT_EQ(look("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", &n), -MODFS_ENOENT);
    CHECK_INT_EQ(look("/data", &n), -MODFS_ENOENT);         /* a prefix of a name, not a name */
    CHECK_INT_EQ(look("/data.txt.", &n), -MODFS_ENOENT);
    CHECK_INT_EQ(look("/build/x/data.txt/", &n), -MODFS_ENOTDIR);
    CHECK_INT_EQ(look("data.txt/.", &n), -MODFS_ENOTDIR);
    CHECK_INT_EQ(look("data.txt/..", &n), -MODFS_ENOTDIR);
    CHECK_INT_EQ(look("data.txt/x", &n), -MODFS_ENOTDIR);
    CHECK_INT_EQ(look("/proc/self/exe/", &n), -MODFS_ENOTDIR);
    CHECK_INT_EQ(look("nothing/..", &n), -MODFS_ENOENT);
    char longname[MODFS_NAME_MAX + 3];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    CHECK_INT_EQ(look(longname, &n), -MODFS_ENAMETOOLONG);
    longname[MODFS_NAME_MAX] = 0;                       /* 255 bytes: allowed, absent */
    CHECK_INT_EQ(look(longname, &n), -MODFS_ENOENT);
    /* A file as the base of a relative walk. */
    struct modfs_node file;
    REQUIRE_INT_EQ(look("data.txt", &file), 0);
    CHECK_INT_EQ(modfs_lookup(&fs, &file, "x", &n), -MODFS_ENOTDIR);
    CHECK_INT_EQ(modfs_lookup(&fs, &file, "/data.txt", &n), 0);
}

/* Lists dir into one string, "name:type " per entry. */
static const char *listing(const char *dir)
{
    static char out[512];
    struct modfs_node d, n;
    out[0] = 0;
    if (look(dir, &d) != 0)
        return "?";
    uint32_t cookie = 0;
    char name[MODFS_NAME_MAX + 1];
    unsigned guard = 0;
    while (modfs_list(&fs, &d, &cookie, name, &n) && guard++ < 100) {
        char one[300];
        snprintf(one, sizeof one, "%s:%c ", name, "?dfl"[n.type]);
        strncat(out, one, sizeof out - strlen(out) - 1);
    }
    return out;
}

static void listings_give_each_name_once(void)
{
    setup();
    CHECK_STR_EQ(listing("/"), "build:d data.txt:f modules:d prog:f proc:d ");
    CHECK_STR_EQ(listing("/modules"), "data.txt:f prog:f ");
    CHECK_STR_EQ(listing("/build/x"), "data.txt:f ");
    CHECK_STR_EQ(listing("/proc"), "self:d ");
    CHECK_STR_EQ(listing("/proc/self"), "exe:l ");
    /* The end stays the end. */
    struct modfs_node d, n;
    REQUIRE_INT_EQ(look("/proc/self", &d), 0);
    uint32_t cookie = 0;
    char name[MODFS_NAME_MAX + 1];
    CHECK(modfs_list(&fs, &d, &cookie, name, &n));
    CHECK(!modfs_list(&fs, &d, &cookie, name, &n));
    CHECK(!modfs_list(&fs, &d, &cookie, name, &n));
    cookie = 1000;
    CHECK(!modfs_list(&fs, &d, &cookie, name, &n));
}

static void first_entry_wins(void)
{
    modfs_init(&fs);
    REQUIRE_INT_EQ(modfs_add(&fs, "a/x", MODFS_FILE, 1), 0);
    REQUIRE_INT_EQ(modfs_add(&fs, "b/x", MODFS_FILE, 2), 0);
    REQUIRE_INT_EQ(modfs_add(&fs, "x", MODFS_FILE, 1), 0);
    REQUIRE_INT_EQ(modfs_add(&fs, "x", MODFS_FILE, 2), 0);
    REQUIRE_INT_EQ(modfs_add(&fs, "a", MODFS_FILE, 3), 0);     /* "a" is a directory already */
    struct modfs_node n;
    CHECK_INT_EQ(look("x", &n), 0);
    CHECK_INT_EQ(n.id, 1);
    CHECK_INT_EQ(look("b/x", &n), 0);
    CHECK_INT_EQ(n.id, 2);
    CHECK_INT_EQ(look("a", &n), 0);
    CHECK_INT_EQ(n.type, MODFS_DIR);
    CHECK_STR_EQ(listing("/"), "a:d b:d x:f ");
}

static const struct check_test tests[] = {
    TEST(normalise_paths),
    TEST(add_refuses_bad_entries),
    TEST(basenames),
    TEST(files_by_every_name),
    TEST(directories_are_prefixes),
    TEST(linux_errors),
    TEST(listings_give_each_name_once),
    TEST(first_entry_wins),
};

CHECK_MAIN(tests)
