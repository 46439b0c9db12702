/* `milvus-migrate --version`: the project version and the git revision it
 * was built from, the version of the package made from the build, and the
 * libraries it was built with (build_info.h). */
#ifndef MM_CLI_VERSION_H
#define MM_CLI_VERSION_H

#include <stdio.h>

void mm_cli_print_version(FILE *out);

#endif
