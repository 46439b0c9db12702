/* The pre-flight checks about where and how Milvus reads what we stage,
 * added to the run's findings list (target_preflight.h):
 * - the plan against Milvus's limits, without a server (warnings): at most
 *   rootCoord.maxPartitionNum partitions per collection (1024 by default;
 *   component_param.go 1907-1915 on 2.6); one import's files together stay
 *   under dataNode.import.maxImportFileSizeInGB by the plan itself
 *   (MM_PLAN_IMPORT_LIMIT; numpy/reader.go 100-110 sums them);
 * - the staging probe (load/staging_probe.h): Milvus reads the staging
 *   place (loader.probeStaging); a blocker when it does not. Its last
 *   verdict is kept with the settings it is about, so that the wizard's
 *   Plan shows what Target's test or a run found without importing again. */
#ifndef MM_JOB_PREFLIGHT_H
#define MM_JOB_PREFLIGHT_H

#include "config/config.h"
#include "job/target_preflight.h"
#include "milvus2/client.h"
#include "source/inventory.h"
#include "storage/storage.h"

#include <stdatomic.h>
#include <stdbool.h>

/* The plan's limits, for the collections with selected[i] (NULL: all) of a
 * scanned inventory: a warning per limit the plan breaks. */
void mm_preflight_limits(const mm_config *cfg, const mm_inventory *inv, const bool *selected, mm_findings *out);

/* The staging probe, as configured (loader.probeStaging): an info finding
 * when Milvus read the probe, a blocker when it did not or the probe could
 * not be done. storage is the opened target bucket for target.mode
 * remote, scratch_dir a local directory for its transfers. */
void mm_preflight_probe(const mm_config *cfg, mm_milvus *milvus, mm_storage *storage, const char *scratch_dir,
                        atomic_bool *cancel, mm_findings *out);

/* What the staging probe found last with cfg's staging and Milvus
 * settings, as mm_preflight_probe gave it, said as the last run; when it has not run with them,
 * an info finding saying how to run it, unless `blocked` (the run stops
 * before its probe anyway). Never probes. Thread-safe. */
void mm_preflight_probe_recall(const mm_config *cfg, bool blocked, mm_findings *out);
/* Counts the verdicts kept so far: a change means a recall may differ. */
unsigned long mm_preflight_probe_generation(void);

#endif
