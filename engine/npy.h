/* NumPy .npy v1.0 headers, byte-identical to numpy's np.save (dict text,
 * key order, trailing ", ", space padding so the header is a multiple of 64
 * bytes, final newline). Sizes are known before any data is written, which
 * lets uploads send Content-Length and the dump respect the import limit. */
#ifndef MM_NPY_H
#define MM_NPY_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    MM_NPY_F4,   /* '<f4': float vectors, shape (rows, dim) */
    MM_NPY_U1,   /* '|u1': binary vectors, shape (rows, dim/8) */
    MM_NPY_I8,   /* '<i8': ids, shape (rows,) */
} mm_npy_dtype;

/* Longest header we ever build (two 20-digit dimensions fit easily). */
#define MM_NPY_MAX_HEADER 192

/* Writes the header for an array of `rows` x `cols` (cols 0 = 1-d) into buf
 * and returns its length (a multiple of 64), or 0 if cap is too small. */
size_t mm_npy_header(char *buf, size_t cap, mm_npy_dtype dtype, uint64_t rows, uint64_t cols);
size_t mm_npy_item_size(mm_npy_dtype dtype);
/* Header plus payload bytes of the whole file. */
uint64_t mm_npy_file_size(mm_npy_dtype dtype, uint64_t rows, uint64_t cols);

#endif
