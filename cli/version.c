#include "version.h"

#include "build_info.h"

#include <string.h>

void mm_cli_print_version(FILE *out)
{
    fprintf(out, "milvus-migrate %s (git revision %s)\n", MM_VERSION, mm_build_revision);
    fprintf(out, "Package version: %s\n", mm_build_package_version);
    fprintf(out, "Built with:\n");
    int width = 0;
    for (const mm_build_library *l = mm_build_libraries; l->name; l++)
        if ((int)strlen(l->name) > width)
            width = (int)strlen(l->name);
    for (const mm_build_library *l = mm_build_libraries; l->name; l++)
        fprintf(out, "  %-*s  %s\n", width, l->name, l->version);
}
