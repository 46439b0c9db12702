/* Streaming reader of one 1.x raw segment: <file_id>.uid, <file_id>.rv and
 * deleted_docs (specs/milvus1x-format.md §3). Opening validates every header
 * and size against the collection's dim and loads deleted_docs into a
 * deduplicated, range-checked bitset (rows/8 bytes); rows are then read in
 * bounded blocks, never the whole segment. */
#ifndef MM_SEGMENT_H
#define MM_SEGMENT_H

#include "base/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mm_segment_source {
    /* The `tables` directories to probe, in order (0.9 multi-root: primary
     * first, then each secondary). Each file is probed independently. */
    const char *const *tables_dirs;
    size_t n_tables_dirs;
    const char *table_id;     /* collection or partition table_id */
    const char *segment_id;
    const char *file_id;      /* stem of .rv/.uid; NULL means segment_id */
    int64_t dim;              /* Tables.dimension of the owning row */
    bool binary;              /* binary vectors: dim bits per row */
    bool missing_deleted_docs_ok; /* treat an absent deleted_docs as empty */
    const char *missing_hint; /* said first when a file is not found (another storage root?) */
} mm_segment_source;

typedef struct mm_segment_reader mm_segment_reader;

int mm_segment_open(const mm_segment_source *src, mm_segment_reader **out, mm_error *err);
void mm_segment_close(mm_segment_reader *r);

int64_t mm_segment_rows(const mm_segment_reader *r);
int64_t mm_segment_deleted(const mm_segment_reader *r);            /* distinct, in range */
int64_t mm_segment_live(const mm_segment_reader *r);
int64_t mm_segment_duplicate_offsets(const mm_segment_reader *r);  /* repeated offsets */
int64_t mm_segment_out_of_range_offsets(const mm_segment_reader *r);
size_t mm_segment_vector_bytes(const mm_segment_reader *r);
bool mm_segment_is_deleted(const mm_segment_reader *r, int64_t row);
const char *mm_segment_rv_path(const mm_segment_reader *r);   /* payload starts at byte 8 */
const char *mm_segment_uid_path(const mm_segment_reader *r);  /* payload starts at byte 8 */
const char *mm_segment_dir(const mm_segment_reader *r);

/* Next maximal run of live rows at or after the cursor: rows
 * [*start, *start + *count). Returns false when no live row is left. The
 * cursor advances past the run. Lets the dump copy runs with
 * copy_file_range instead of row by row. */
bool mm_segment_next_live_run(mm_segment_reader *r, int64_t *start, int64_t *count);
void mm_segment_rewind(mm_segment_reader *r);

/* Reads up to max_rows live rows (in segment order) into ids[] and
 * vectors[] (max_rows * vector_bytes bytes); either may be NULL to skip that
 * file. rows_out[] (may be NULL) receives each row's offset in the segment.
 * *n is 0 at the end. Independent of the live-run cursor. */
int mm_segment_read_live(mm_segment_reader *r, size_t max_rows, int64_t *ids, void *vectors,
                         int64_t *rows_out, size_t *n, mm_error *err);

/* Reads the id and the vector (either may be NULL) of one row, deleted or
 * not, by its offset in the segment; for reading a sample of rows. */
int mm_segment_read_row(mm_segment_reader *r, int64_t row, int64_t *id, void *vector, mm_error *err);

#endif
