/*
 * selftest.h - the checks that mode=test runs inside the real machine, each
 * reported as "@test name=... result=pass|fail", then "@summary".
 */
#ifndef SELFTEST_H
#define SELFTEST_H

#include <stdbool.h>

#include "boot/bootinfo.h"
#include "boot/cmdline.h"

struct selftest_context {
    const struct boot_info *boot;
    const struct cmdline *cmdline;
};

/* Runs every check; returns true when all passed. */
bool selftest_run(const struct selftest_context *ctx, unsigned *passed,
                  unsigned *failed);

#endif
