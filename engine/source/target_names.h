/* 2.x names chosen by the user (target.milvus2x.names, also what the
 * wizard's Preview writes when a target is renamed), applied over the
 * generated ones so headless runs, re-runs and the wizard agree. */
#ifndef MM_TARGET_NAMES_H
#define MM_TARGET_NAMES_H

#include "config/config.h"
#include "base/error.h"
#include "source/inventory.h"

/* Each entry is "<collection>=<2.x name>" or "<collection>/<tag>=<2.x
 * partition name>". A 1.x collection name never holds '/' or '=', and a
 * 2.x name never holds '=', so the collection ends at the first '/' and
 * the new name starts after the last '='. Entries naming a collection that
 * is not in the inventory are ignored (it may be filtered out with --col);
 * a bad 2.x name, a rename of the default partition and a collision are
 * errors naming the entry. `key` names the config key in errors. */
int mm_target_names_apply(mm_inventory *inv, const mm_config_list *names, const char *key, mm_error *err);

/* Sets or replaces the entry for one collection (tag NULL) or partition in
 * `names`, or removes it when new_name equals the generated default. */
int mm_target_names_set(mm_config_list *names, const char *collection, const char *tag, const char *new_name,
                        mm_error *err);

#endif
