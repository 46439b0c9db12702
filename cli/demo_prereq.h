/* What `milvus-migrate demo` needs before it starts anything: the Milvus
 * 2.x emulator (installed in share/milvus-migrate/emulator, linked to
 * tests/emulator in a build directory, or $MM_EMULATOR_DIR) with every
 * Node package its package.json depends on, and a Node.js on PATH as
 * recent as that package.json asks ("engines": {"node": ">=N"}). A missing
 * piece is named with the fix that fits how this program was installed:
 * a package to install on a customer host, scripts/install-deps.sh in a
 * source tree. */
#ifndef MM_CLI_DEMO_PREREQ_H
#define MM_CLI_DEMO_PREREQ_H

#include "base/error.h"

typedef struct mm_demo_prereq {
    char *node;            /* node found on PATH */
    char *emulator_dir;
} mm_demo_prereq;

/* Fills p, or fails (p then holds nothing) with the message the demo
 * prints. */
int mm_demo_prereq_find(mm_demo_prereq *p, mm_error *err);
void mm_demo_prereq_free(mm_demo_prereq *p);

#endif
