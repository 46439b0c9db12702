#include "datadir.h"

#include "fsutil.h"
#include "strbuf.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Both relative to the executable's directory. The installed one comes from
 * the install directories the build was configured with (bin -> share). */
#ifndef MM_DATA_FROM_BINDIR
#define MM_DATA_FROM_BINDIR "../share/milvus-migrate"
#endif
#define MM_DATA_IN_BUILD_TREE "share/milvus-migrate"

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The directory of the running executable, symbolic links resolved (an
 * alias installed as a link next to it finds the same data). */
static char *exe_dir(void)
{
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    return mm_path_dir(buf);
}

int mm_data_locate(const char *name, mm_data_place *out)
{
    memset(out, 0, sizeof *out);
    char *dir = exe_dir();
    if (!dir)
        return -1;
    char *installed_raw = mm_asprintf("%s/" MM_DATA_FROM_BINDIR "/%s", dir, name);
    /* Without "..": the path appears in messages. */
    char *installed = installed_raw ? mm_path_resolve(installed_raw) : NULL;
    char *build = mm_asprintf("%s/" MM_DATA_IN_BUILD_TREE "/%s", dir, name);
    free(installed_raw);
    free(dir);
    if (!installed || !build) {
        free(installed);
        free(build);
        return -1;
    }
    out->looked_in = mm_asprintf("%s, then %s", installed, build);
    if (is_dir(installed)) {
        out->path = installed;
        out->found = true;
        free(build);
    } else if (is_dir(build)) {
        out->path = build;
        out->found = out->build_tree = true;
        free(installed);
    } else {
        out->path = installed;
        free(build);
    }
    if (!out->looked_in) {
        mm_data_place_free(out);
        return -1;
    }
    return 0;
}

void mm_data_place_free(mm_data_place *p)
{
    free(p->path);
    free(p->looked_in);
    memset(p, 0, sizeof *p);
}
