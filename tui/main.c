#include "error.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("milvus-migrate %s\n", MM_VERSION);
        return 0;
    }
    fprintf(stderr, "milvus-migrate: no command given; try --help\n");
    return 2;
}
