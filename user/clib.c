/*
 * clib.c - the C library used the way ordinary programs use it, with output
 * that depends on nothing but the binary.
 *
 *   clib
 *
 * The same binary must print the same bytes on Linux and on mematlas, so a
 * test can compare the two runs whole. Nothing printed may vary: no
 * addresses, times, process ids, random bytes or the kernel's name; for
 * those the program prints only whether the call behaved ("ok"). Floating
 * point runs on the x87 (plain i686 code) and, where the processor has it,
 * on SSE2 as well, with operands chosen so both give the same exact result;
 * a kernel that leaves the FPU or SSE unset up, or loses their registers,
 * shows up as a crash or a wrong digit.
 *
 * Each line starts "clib: "; the last is "clib: done, N failed"; the exit
 * status is 0 if nothing failed, 1 otherwise.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <emmintrin.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "user.h"

static int failed;

static void check(const char *what, int ok)
{
    printf("clib: %s %s\n", what, ok ? "ok" : "FAILED");
    if (!ok)
        failed++;
}

/* A fixed pseudo-random sequence (xorshift32), the same on every run. */
static uint32_t rng_state = 2463534242u;

static uint32_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* Inputs the compiler cannot fold, so the arithmetic happens at run time. */
static volatile double two = 2.0, third_num = 1.0, third_den = 3.0;
static volatile long double two_l = 2.0L;

static void print_numbers(void)
{
    printf("clib: int %d %i %u %x %X %o %+d %05d [%-6d] [%6d]\n", -42, 0, 4000000000u,
           0xbeefu, 0xcafeu, 0755u, 17, 42, -3, 99);
    printf("clib: long %ld %lu %lld %llu %llx\n", (long)INT32_MIN, (unsigned long)UINT32_MAX,
           (long long)INT64_MIN, (unsigned long long)UINT64_MAX, 0x123456789abcdefULL);
    printf("clib: char %c%c%c string [%s] [%8s] [%-8s] [%.3s] %%\n", 'a', 'b', 'c', "text",
           "right", "left", "truncated");
    printf("clib: double sqrt2 %.10f\n", sqrt(two));
    printf("clib: double third %.17g %e %g %a\n", third_num / third_den, 1e300 * two,
           0.0001 / two, 0.75 * two);
    printf("clib: double special %f %f %f %.3f\n", (double)INFINITY, -(double)INFINITY,
           (double)NAN, -0.0);
    double sum = 0;
    for (int i = 1; i <= 1000; i++)
        sum += 1.0 / ((double)i * i);
    printf("clib: double basel %.12f pi %.15f exp1 %.15f\n", sum, 4 * atan(third_num),
           exp(third_num));
    printf("clib: long-double sqrt2 %.18Lf third %.20Lg\n", sqrtl(two_l),
           (long double)third_num / third_den);
}

/* SSE2, where the processor has it: sums of halves and quarters, exact in
 * double, so the x87 (used without SSE2) gives the same digits. */
__attribute__((target("sse2")))
static double sse2_sum(void)
{
    __m128d acc = _mm_set_pd(0.25 * two, 0.5 * two);
    for (int i = 0; i < 1000; i++)
        acc = _mm_add_pd(acc, _mm_set_pd(0.25, 0.5));
    double out[2];
    _mm_storeu_pd(out, acc);
    return out[0] + out[1];
}

static double x87_sum(void)
{
    double a = 0.5 * two, b = 0.25 * two;
    for (int i = 0; i < 1000; i++) {
        a += 0.5;
        b += 0.25;
    }
    return a + b;
}

static void vector_math(void)
{
    unsigned eax, ebx, ecx, edx;
    int sse2 = __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (edx & bit_SSE2);
    printf("clib: vector sum %.2f\n", sse2 ? sse2_sum() : x87_sum());
}

static int compare_ints(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void sorting(void)
{
    int v[200];
    for (size_t i = 0; i < ARRAY_LEN(v); i++)
        v[i] = (int)(next_random() % 100000) - 50000;
    qsort(v, ARRAY_LEN(v), sizeof v[0], compare_ints);
    int sorted = 1;
    long long weighted = 0;
    for (size_t i = 0; i < ARRAY_LEN(v); i++) {
        sorted &= i == 0 || v[i - 1] <= v[i];
        weighted += (long long)(i + 1) * v[i];
    }
    printf("clib: qsort ints first %d last %d weighted %lld\n", v[0], v[ARRAY_LEN(v) - 1],
           weighted);
    check("qsort ints sorted", sorted);

    const char *words[] = { "stack", "heap", "bss", "data", "rodata", "text", "mmap", "args" };
    qsort(words, ARRAY_LEN(words), sizeof words[0], compare_strings);
    printf("clib: qsort strings");
    for (size_t i = 0; i < ARRAY_LEN(words); i++)
        printf(" %s", words[i]);
    printf("\n");
}

static void strings(void)
{
    /* Truncation on purpose: the size is hidden from the compiler's check. */
    static volatile size_t buf_size = 8;
    char buf[8];
    int n = snprintf(buf, buf_size, "%s-%d", "truncate", 12345);
    printf("clib: snprintf returned %d kept [%s]\n", n, buf);
    char *end;
    long a = strtol("0x1f", NULL, 0), b = strtol("-0777", NULL, 0), c = strtol("12abc", &end, 10);
    printf("clib: strtol %ld %ld %ld rest [%s]\n", a, b, c, end);
    errno = 0;
    long big = strtol("99999999999999", NULL, 10);
    check("strtol overflow gives LONG_MAX and ERANGE", big == LONG_MAX && errno == ERANGE);
    printf("clib: strtoul %lu strtod %.4f atoi %d\n", strtoul("4294967295", NULL, 10),
           strtod("-12.5e-1", NULL), atoi("  77 trailing"));
}

/* Blocks of many sizes, from a few bytes to well past the size where malloc
 * switches from the break to mmap, filled, grown, shrunk and freed; the
 * checksum covers every byte read back. */
static void memory(void)
{
    enum { BLOCKS = 64 };
    unsigned char *blocks[BLOCKS];
    size_t sizes[BLOCKS];
    uint32_t sum = 0;
    for (int i = 0; i < BLOCKS; i++) {
        sizes[i] = (next_random() % 4 == 0) ? 100000 + next_random() % 300000
                                             : 1 + next_random() % 2000;
        blocks[i] = malloc(sizes[i]);
        if (!blocks[i]) {
            check("malloc", 0);
            return;
        }
        memset(blocks[i], i + 1, sizes[i]);
    }
    for (int i = 0; i < BLOCKS; i++) {
        size_t new_size = (i % 2) ? sizes[i] * 3 + 17 : sizes[i] / 2 + 1;
        size_t kept = new_size < sizes[i] ? new_size : sizes[i];
        unsigned char *p = realloc(blocks[i], new_size);
        if (!p) {
            check("realloc", 0);
            return;
        }
        for (size_t k = 0; k < kept; k++)
            sum = sum * 31 + p[k] + (p[k] != (unsigned char)(i + 1) ? 0x10000000u : 0);
        blocks[i] = p;
    }
    for (int i = 0; i < BLOCKS; i += 2)
        free(blocks[i]);
    for (int i = 1; i < BLOCKS; i += 2)
        free(blocks[i]);
    printf("clib: malloc realloc free checksum %08x\n", (unsigned)sum);
}

/* Two threads take turns through one mutex and one condition variable. */
static pthread_mutex_t turn_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_changed = PTHREAD_COND_INITIALIZER;
static int turn, rounds_done;
#define ROUNDS 500

static void take_turns(int me)
{
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&turn_lock);
        while (turn != me)
            pthread_cond_wait(&turn_changed, &turn_lock);
        rounds_done++;
        turn = !me;
        pthread_cond_signal(&turn_changed);
        pthread_mutex_unlock(&turn_lock);
    }
}

static void *other_thread(void *arg)
{
    (void)arg;
    take_turns(1);
    return NULL;
}

static void threads(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, other_thread, NULL) != 0) {
        check("pthread_create", 0);
        return;
    }
    take_turns(0);
    pthread_join(t, NULL);
    printf("clib: mutex and cond rounds %d\n", rounds_done);
}

static int64_t nanoseconds(const struct timespec *t)
{
    return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static void kernel_calls(void)
{
    struct timespec t0, t1, nap = { 0, 10 * 1000 * 1000 };
    int got0 = clock_gettime(CLOCK_MONOTONIC, &t0);
    int slept = nanosleep(&nap, NULL);
    int got1 = clock_gettime(CLOCK_MONOTONIC, &t1);
    check("clock_gettime monotonic, not going back", got0 == 0 && got1 == 0 &&
          nanoseconds(&t1) >= nanoseconds(&t0));
    check("nanosleep 10 ms, at least 10 ms passed", slept == 0 &&
          nanoseconds(&t1) - nanoseconds(&t0) >= 10 * 1000 * 1000);

    unsigned char bytes[16];
    ssize_t n = getrandom(bytes, sizeof bytes, 0);
    printf("clib: getrandom returned %ld\n", (long)n);
    check("time after 2017", time(NULL) > 1500000000);
    struct utsname u;
    check("uname", uname(&u) == 0 && u.sysname[0] != '\0');
    struct stat64 st;
    check("fstat64 of stdout", fstat64(1, &st) == 0);
    (void)isatty(1);            /* a terminal or not: either is fine */
    check("getpid", getpid() > 0);

    /* writev straight to fd 1, so stdout's buffer goes first. */
    fflush(stdout);
    struct iovec iov[3] = {
        { "clib: writev ", 13 }, { "three ", 6 }, { "pieces\n", 7 },
    };
    ssize_t w = writev(1, iov, 3);
    check("writev wrote 26 bytes", w == 26);
}

int main(void)
{
    print_numbers();
    vector_math();
    sorting();
    strings();
    memory();
    threads();
    kernel_calls();
    printf("clib: done, %d failed\n", failed);
    return failed ? 1 : 0;
}
