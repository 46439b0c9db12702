/* Prints the .npy header we build for DTYPE ROWS [COLS] to stdout (raw
 * bytes), so scripts can compare it with numpy's np.save output. */
#include "npy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    mm_npy_dtype dtype = strcmp(argv[1], "f4") == 0 ? MM_NPY_F4 : strcmp(argv[1], "u1") == 0 ? MM_NPY_U1 : MM_NPY_I8;
    uint64_t rows = strtoull(argv[2], NULL, 10);
    uint64_t cols = argc > 3 ? strtoull(argv[3], NULL, 10) : 0;
    char buf[MM_NPY_MAX_HEADER];
    size_t n = mm_npy_header(buf, sizeof buf, dtype, rows, cols);
    return fwrite(buf, 1, n, stdout) == n ? 0 : 1;
}
