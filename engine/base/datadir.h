/* Where the program's data files are (the themes, the demo's Milvus 2.x
 * emulator): found from the executable's own location, never from a path
 * of the machine that built it, so the same binary works installed
 * (<prefix>/bin with <prefix>/share/milvus-migrate), relocated (a package
 * extracted under any directory) and from its build directory (where the
 * build links share/milvus-migrate/<name> to the source tree). */
#ifndef MM_DATADIR_H
#define MM_DATADIR_H

#include <stdbool.h>

typedef struct mm_data_place {
    char *path;         /* the directory; when not found, where an installation keeps it */
    bool found;
    bool build_tree;    /* found beside a binary in its build directory, not installed */
    char *looked_in;    /* every place tried, for messages: "A, then B" */
} mm_data_place;

/* Looks for the data directory `name` ("themes", "emulator") first where an
 * installation keeps it, relative to the executable, then in the build
 * directory the executable lies in. Returns 0 (found or not: see ->found),
 * or -1 when the executable's path cannot be read or memory runs out. */
int mm_data_locate(const char *name, mm_data_place *out);
void mm_data_place_free(mm_data_place *p);

#endif
