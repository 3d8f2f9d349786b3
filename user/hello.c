/*
 * hello.c - the smallest user program: one line, then an exit status.
 *
 *   hello [STATUS]     prints "hello from ring 3: ARGV0" and exits with
 *                      STATUS (0..255, default 0)
 *
 * It is the first program a new kernel runs (does printf reach the console,
 * does argv[0] arrive) and the one exit-status tests use. The host tests
 * also run it to learn whether this machine can run i386 programs at all.
 */
#include "user.h"

int main(int argc, char **argv)
{
    int status = 0;
    if (argc > 2)
        usage_error("hello", "usage: hello [STATUS]");
    if (argc == 2)
        status = (int)parse_number("hello", "exit status", argv[1], 0, 255);
    printf("hello from ring 3: %s\n", argc > 0 ? argv[0] : "(no argv[0])");
    return status;
}
