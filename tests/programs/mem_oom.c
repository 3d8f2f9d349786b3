/*
 * mem_oom - touches 200 MiB of anonymous memory, one byte a page: on a
 * machine with less RAM, the kernel runs out of frames part way. Linux's
 * answer (and mematlas's) is SIGKILL, whatever handlers the program has.
 */
#include <stdio.h>
#include <sys/mman.h>

int main(void)
{
    size_t n = 200u << 20;
    char *p = mmap(0, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        puts("mem_oom: mmap failed");
        return 1;
    }
    for (size_t i = 0; i < n; i += 4096)
        p[i] = 1;
    puts("mem_oom: touched all of it");
    return 0;
}
