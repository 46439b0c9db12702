/* The target check the Plan screen shows (target_preflight.h), as one call
 * a task of the wizard can make on its own: it connects to Milvus 2.x and
 * reads the journal itself, read-only, and changes nothing. */
#ifndef MM_JOB_PREFLIGHT_CHECK_H
#define MM_JOB_PREFLIGHT_CHECK_H

#include "job/target_preflight.h"

/* The Plan screen's check, on a task of its own: Milvus connected with cfg
 * (a failure to connect is a warning finding, not an error) and the state
 * directory's journal read-only. inv may be a copy made with
 * mm_preflight_collections_copy: segments are not looked at (the run's own
 * check says what the dump would retire). The findings are those of
 * mm_job_preflight before a dump, with the staging probe's last verdict
 * (mm_preflight_probe_recall) instead of a new probe. */
void mm_target_preflight_check(const mm_config *cfg, const mm_inventory *inv, bool restart, mm_findings *out);
/* The selected collections of inv (selected NULL: all) with what the check
 * needs (names, 2.x names, dimension, vector type, partitions without
 * their segments), for a task that must
 * not share the caller's inventory. Free with mm_inventory_free. */
int mm_preflight_collections_copy(const mm_inventory *inv, const bool *selected, mm_inventory *out, mm_error *err);

#endif
