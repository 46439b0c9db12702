/* A Milvus 1.x installation read from a bucket (source.mode: remote, and
 * meta.mode: remote): the tables directory uploaded under a key prefix
 * (source.remote.tablesDir), and optionally its meta.json as an object
 * (meta.remoteMetaFile). Only mm_storage is used, so every backend works.
 *
 * The prefix is listed once. Segment files are downloaded into a cache
 * directory just before the dump reads a segment and removed once its
 * batches are recorded, so the disk holds the segments being dumped (one
 * per worker), never the whole installation. The segment reader and the
 * scan stay those of local sources: the cache has the local layout
 * <cache>/tables/<table_id>/<segment_id>/<file>. */
#ifndef MM_REMOTE_FETCH_H
#define MM_REMOTE_FETCH_H

#include "base/error.h"
#include "source/inventory.h"
#include "source/meta_rows.h"
#include "source/scan.h"
#include "storage/storage.h"

typedef struct mm_remote_source mm_remote_source;

typedef struct mm_remote_source_options {
    mm_storage *storage;          /* the source bucket; not owned, must outlive the source */
    const char *tables_prefix;    /* source.remote.tablesDir as written ("" = the bucket root) */
    /* Where the cache goes: <state_dir>/source-cache-<pid>-<n>, created,
     * and removed when closed (caches of processes that are gone are
     * removed when opening). */
    const char *state_dir;
} mm_remote_source_options;

/* Lists every object under the tables prefix. A prefix written with a
 * leading '/' that lists nothing is tried without it. */
int mm_remote_source_open(const mm_remote_source_options *opt, mm_remote_source **out, mm_error *err);
/* Removes the cache directory and everything fetched into it. */
void mm_remote_source_close(mm_remote_source *rs);

/* The local directory that stands for the tables directory. */
const char *mm_remote_source_tables_dir(const mm_remote_source *rs);

/* Reads the meta.json object `key` of the source bucket (meta.mode: remote)
 * into rows, whose origin names the object. */
int mm_remote_source_read_meta(mm_remote_source *rs, const char *key, mm_meta_rows *rows, mm_error *err);

/* mm_inventory_scan over the bucket. Only deleted_docs is downloaded: the
 * .uid and .rv files are stood for by sparse files of their listed size
 * (their length headers are checked when the dump fetches them), so the
 * duplicate-id check is not available. Messages name the objects, not the
 * cache. Refuses a prefix under which nothing is listed while the meta has
 * segments. */
int mm_remote_source_scan(mm_remote_source *rs, mm_inventory *inv, const mm_scan_options *opt, mm_error *err);

/* Downloads <file_id>.uid, <file_id>.rv and deleted_docs (when listed) of
 * one segment into the cache after checking the free space, and checks that
 * each is as long as listed. Safe to call from several threads for
 * different segments. */
int mm_remote_source_fetch_segment(mm_remote_source *rs, const mm_segment_info *s, mm_error *err);
/* Removes what fetch_segment downloaded. */
void mm_remote_source_release_segment(mm_remote_source *rs, const mm_segment_info *s);
/* Rewrites the paths of fetched files in err's message (from the segment
 * reader) into the objects they were downloaded from. */
void mm_remote_source_name_objects(const mm_remote_source *rs, mm_error *err);

#endif
