/* Never write into the 1.x installation, whatever the configuration says.
 * Every place a command writes (the staging directory, state.dir with the
 * journal, the lock, the reports, the bucket staging and the source cache,
 * export's output, TMPDIR for the private copy of meta.sqlite) is resolved
 * to a real path (symlinks followed as far as the path exists, "." and
 * ".." removed) and refused, naming its key, when it lies inside a
 * directory of the source: a tables directory, the db directory, the WAL
 * directory. The checks only read. */
#ifndef MM_PATH_SAFETY_H
#define MM_PATH_SAFETY_H

#include "config/config.h"
#include "base/error.h"
#include "base/fsutil.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct mm_path_set mm_path_set;

mm_path_set *mm_path_set_new(void);
void mm_path_set_free(mm_path_set *s);
/* A directory of the 1.x source; what names it in messages
 * ("source.local.tablesDir", "the 1.x db directory of meta.sqliteFile"). */
void mm_path_set_add_source(mm_path_set *s, const char *what, const char *path);
/* A place a command writes, under the key that sets it to `value`; it
 * writes into `path` (value itself, or a directory below it).
 * contains_refused: a source directory inside path is refused too (the
 * staging directory, whose tables/ would mix with the source's). */
void mm_path_set_add_write(mm_path_set *s, const char *key, const char *value, const char *path,
                           bool contains_refused);
/* The source directories and write places a migration.yaml implies:
 * meta.*, source.local.*, the WAL they lead to, target.local.outputDir,
 * state.dir and TMPDIR. */
int mm_path_set_add_config(mm_path_set *s, const mm_config *cfg, mm_error *err);
/* Every write place inside a source directory: MM_ERR_CONFIG (exit 2),
 * one line per place, naming the key, what it resolves to, the source
 * directory and the fix. */
int mm_path_set_check(const mm_path_set *s, mm_error *err);

#endif
