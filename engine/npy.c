#include "npy.h"

#include <stdio.h>
#include <string.h>

static const char *const descr[] = {
    [MM_NPY_F4] = "<f4",
    [MM_NPY_U1] = "|u1",
    [MM_NPY_I8] = "<i8",
};

size_t mm_npy_item_size(mm_npy_dtype dtype)
{
    return dtype == MM_NPY_F4 ? 4 : dtype == MM_NPY_I8 ? 8 : 1;
}

size_t mm_npy_header(char *buf, size_t cap, mm_npy_dtype dtype, uint64_t rows, uint64_t cols)
{
    char dict[128];
    int dict_len;
    if (cols)
        dict_len = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%llu, %llu), }",
                            descr[dtype], (unsigned long long)rows, (unsigned long long)cols);
    else
        dict_len = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%llu,), }",
                            descr[dtype], (unsigned long long)rows);
    /* magic(6) + version(2) + length(2) + dict + padding + '\n' = k * 64 */
    size_t unpadded = 10 + (size_t)dict_len + 1;
    size_t total = (unpadded + 63) / 64 * 64;
    if (dict_len < 0 || total > cap)
        return 0;
    size_t header_len = total - 10;
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (char)(header_len & 0xff);
    buf[9] = (char)(header_len >> 8);
    memcpy(buf + 10, dict, (size_t)dict_len);
    memset(buf + 10 + dict_len, ' ', total - unpadded);
    buf[total - 1] = '\n';
    return total;
}

uint64_t mm_npy_file_size(mm_npy_dtype dtype, uint64_t rows, uint64_t cols)
{
    char buf[MM_NPY_MAX_HEADER];
    size_t header = mm_npy_header(buf, sizeof buf, dtype, rows, cols);
    return header + rows * (cols ? cols : 1) * mm_npy_item_size(dtype);
}
